/** Fixture locations and Kong's reference lines for the parse tests. */
export { fixtureKeyFiles, fixturesDir } from '../../src/testing/index.js';
export { kongReferenceLines as kongReferenceLinesForTests } from '../../src/testing/kong-doc-lines.js';
