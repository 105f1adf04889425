/** The committed SIEM definitions (fixtures/siem/, see its README) and validators over them. */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { repoRoot } from './events.js';

export function readSiemJson<T>(path: string): T {
  return JSON.parse(readFileSync(`${repoRoot}fixtures/siem/${path}`, 'utf8')) as T;
}

let validators: { readonly authentication: ValidateFunction; readonly apiActivity: ValidateFunction } | undefined;

/** OCSF 1.8.0 class validators (ajv 8, draft 2020-12, `strict: false` as the generator's README says). */
export function ocsfValidators(): { readonly authentication: ValidateFunction; readonly apiActivity: ValidateFunction } {
  if (validators !== undefined) return validators;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  validators = {
    authentication: ajv.compile(readSiemJson('ocsf-1.8.0/authentication.schema.json')),
    apiActivity: ajv.compile(readSiemJson('ocsf-1.8.0/api_activity.schema.json')),
  };
  return validators;
}

interface AllowedValue {
  readonly name: string;
  readonly expected_event_types?: readonly string[];
}
interface EcsAllowed {
  readonly fields: Readonly<Record<string, { readonly allowed_values: readonly AllowedValue[] }>>;
}

export function ecsAllowedValues(): { kinds: Set<string>; categories: Map<string, Set<string>>; types: Set<string>; outcomes: Set<string> } {
  const { fields } = readSiemJson<EcsAllowed>('ecs/event-allowed-values.json');
  const names = (field: string) => new Set((fields[field]?.allowed_values ?? []).map((v) => v.name));
  return {
    kinds: names('event.kind'),
    categories: new Map((fields['event.category']?.allowed_values ?? []).map((v) => [v.name, new Set(v.expected_event_types ?? [])])),
    types: names('event.type'),
    outcomes: names('event.outcome'),
  };
}
