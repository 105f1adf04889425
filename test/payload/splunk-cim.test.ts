/**
 * The Splunk add-on (siem/splunk/TA-konnect-audit) against the CIM data
 * models (fixtures/siem/splunk-cim): every fixture event, as a v1 payload
 * (sourcetype konnect:audit), goes through the add-on's field extraction,
 * aliases and evals (support/splunk-conf.ts, support/spl-eval.ts); then
 * every field its data model requires must be produced, every value with
 * expected values must be one of them, and the models' validity rules must
 * hold.
 */
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/normalize/event.js';
import { fixtureEvents, repoRoot } from './support/events.js';
import { readSiemJson } from './support/schemas.js';
import { createSearchTime, readConf, type SearchTime } from './support/splunk-conf.js';

interface CimField {
  readonly name: string;
  readonly type: 'required' | 'optional' | 'conditional';
  readonly expected_values?: readonly string[];
  readonly condition?: string;
  readonly validity?: string;
}
interface CimObject {
  readonly name: string;
  readonly tags: readonly (readonly string[])[];
  readonly fields: readonly CimField[];
  readonly child_dataset: readonly CimObject[];
  readonly search_constraints?: string;
}

const ta = `${repoRoot}siem/splunk/TA-konnect-audit/default/`;
const props = readConf(`${ta}props.conf`);
const searchTime = createSearchTime(props.get('konnect:audit') ?? new Map(), readConf(`${ta}eventtypes.conf`), readConf(`${ta}tags.conf`), 'konnect:audit');
const models = {
  Authentication: readSiemJson<{ objects: CimObject[] }>('splunk-cim/Authentication.json').objects[0] as CimObject,
  Change: readSiemJson<{ objects: CimObject[] }>('splunk-cim/Change.json').objects[0] as CimObject,
};
const events = await fixtureEvents();
const modelOf = { authentication: 'Authentication', authorization: 'Change', access: 'Change' } as const;

const inModel = (model: CimObject, st: SearchTime): boolean => model.tags.some((set) => set.every((tag) => st.tags.includes(tag)));
const value = (st: SearchTime, name: string): string | undefined => {
  const v = st.fields[name];
  return typeof v === 'string' ? v : v?.[0];
};

/** A condition such as `status=failure` or `src_user=* tag=privileged` (all terms). */
function holds(condition: string, st: SearchTime): boolean {
  return condition.split(/\s+/).every((term) => {
    const [k, v] = term.split('=') as [string, string];
    const actual = st.fields[k];
    if (v === '*') return actual !== undefined;
    return Array.isArray(actual) ? actual.includes(v) : actual === v;
  });
}

/**
 * The models' validity rules, as pytest-splunk-addon means them: the value is
 * null (invalid) when the rule says so. One row per rule text found in the
 * two models; a rule not listed here fails the test (no rule is skipped).
 */
const validity: Readonly<Record<string, (v: string, st: SearchTime) => boolean>> = {
  [`if(like(action,'%\\"%'),null(),action)`]: (v) => !v.includes('"'),
  [`if(like(object_attrs,'%\\"%'),null(),object_attrs)`]: (v) => !v.includes('"'),
  [`if(like(object_id,'%\\"%'),null(),object_id)`]: (v) => !v.includes('"'),
  [`if(like(object_path,'%\\"%'),null(),object_path)`]: (v) => !v.includes('"'),
  [`if((tag=="account" AND object_category=="user") OR (tag!="account" AND object_category!="user"),object_category, null())`]: (v, st) =>
    st.tags.includes('account') ? v === 'user' : v !== 'user',
  [`if(action in ['success', 'failure'], action, null())`]: (_v, st) => ['success', 'failure'].includes(value(st, 'action') ?? ''),
  [`if(isnum(duration) and duration>0 and duration<3600, duration, null())`]: (v) => Number(v) > 0 && Number(v) < 3600,
  [`if(isnum(response_time) and response_time>0 AND response_time<3600,response_time,null())`]: (v) => Number(v) > 0 && Number(v) < 3600,
};

/** What is wrong with one event in its model (empty: nothing). */
function problems(model: CimObject, st: SearchTime): string[] {
  const out: string[] = [];
  for (const field of model.fields) {
    const v = value(st, field.name);
    const needed = field.type === 'required' || (field.type === 'conditional' && field.condition !== undefined && holds(field.condition, st));
    if (needed && (v === undefined || v === '')) out.push(`${field.name} is not produced`);
    if (v === undefined) continue;
    if (field.expected_values !== undefined && !field.expected_values.includes(v)) out.push(`${field.name}=${v} is not one of ${field.expected_values.join(', ')}`);
    if (field.validity !== undefined) {
      const rule = validity[field.validity];
      if (rule === undefined) out.push(`no check for the validity rule of ${field.name}: ${field.validity}`);
      else if (!rule(v, st)) out.push(`${field.name}=${v} fails ${field.validity}`);
    }
  }
  return out;
}

describe('Splunk add-on TA-konnect-audit → CIM', () => {
  it('props.conf reads konnect:audit as JSON and defines the sourcetypes of the other payloads', () => {
    expect(props.get('konnect:audit')?.get('KV_MODE')).toBe('json');
    for (const st of ['konnect:audit:ocsf', 'konnect:audit:ecs', 'konnect:audit:raw']) expect(props.has(st)).toBe(true);
  });

  it.each(events.map((e) => [`${e.where} (${e.event.category}, ${e.event.format}, ${e.event.header.product})`, e.event] as const))(
    '%s: in its data model with every required field and expected value',
    (_name, event: NormalizedEvent) => {
      const st = searchTime(JSON.parse(JSON.stringify(event)));
      const expected = modelOf[event.category as keyof typeof modelOf];
      expect(expected).toBeDefined();
      for (const [name, model] of Object.entries(models)) expect(inModel(model, st), `${name} membership`).toBe(name === expected);
      expect(problems(models[expected], st)).toEqual([]);
    },
  );

  it('logins land in Successful_ / Failed_Authentication by their outcome', () => {
    const login = events.filter((e) => e.event.category === 'authentication');
    const outcomes = login.map((e) => [e.event.success, value(searchTime(e.event), 'action')]);
    expect(outcomes.filter(([success, action]) => (success === true ? action !== 'success' : action !== 'failure'))).toEqual([]);
    expect(new Set(outcomes.map(([, action]) => action))).toEqual(new Set(['success', 'failure']));
  });

  it.each([
    ['a denied permission check', 'cef-valid.log:3', { action: 'modified', status: 'failure', result: 'denied', object: 'organization', object_category: 'organization', change_type: 'AAA', user: '87655c36-8d63-48fe-9a1e-53b28dfbc19b' }],
    ['a DELETE answered 403', 'cef-valid.log:5', { action: 'deleted', status: 'failure', result: 'HTTP 403', http_status: '403', object: '/v2/portals/3e551b39-227d-4297-b911-e68fd5d77c17/applications', change_type: 'API' }],
    ['a Dev Portal login', 'cef-valid.log:1', { action: 'success', app: 'konnect:dev-portal', dest: '3e551b39-227d-4297-b911-e68fd5d77c17', authentication_method: 'BASIC', src: '172.71.232.22', signature_status: 'valid' }],
    ['a locked-out login', 'cef-valid.log:10', { action: 'failure', reason: 'AUTHENTICATION_OUTCOME_LOCKED', authentication_method: 'SSO' }],
  ])('%s: the CIM values', (_name, where, expected) => {
    const event = events.find((e) => e.where === where)?.event;
    expect(searchTime(event).fields).toMatchObject(expected);
  });

  it('the checker has teeth: an add-on without the user eval misses a required field', () => {
    const withoutUser = new Map([...(props.get('konnect:audit') ?? [])].filter(([key]) => key !== 'EVAL-user'));
    const broken = createSearchTime(withoutUser, readConf(`${ta}eventtypes.conf`), readConf(`${ta}tags.conf`), 'konnect:audit');
    const login = events.find((e) => e.event.category === 'authentication')?.event;
    expect(problems(models.Authentication, broken(login))).toContain('user is not produced');
  });
});
