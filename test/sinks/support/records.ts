/**
 * Sink records shaped like what the store hands the dispatcher: a
 * normalized event (SPEC 6), its JSON serialized once, its id.
 */
import type { NormalizedEvent } from '../../../src/normalize/event.js';
import type { SinkRecord } from '../../../src/sinks/types.js';

export const CEF_LINE =
  '2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=o-1 portal_id=p-1 principal_id=u-1 trace_id=3360194145499877252 user_agent= sig=';

export function makeEvent(i: number, overrides: Partial<NormalizedEvent> = {}): NormalizedEvent {
  const sig = `sig${String(i).padStart(4, '0')}`.padEnd(86, 'A');
  const rt = 1750688927556 + i;
  return {
    schema: 'konnect-audit/v1',
    id: sig,
    time: new Date(rt).toISOString(),
    received_at: '2025-06-23T14:28:48.001Z',
    format: 'cef',
    category: 'authentication',
    header: {
      version: '0',
      vendor: 'KongInc',
      product: 'Dev-Portal',
      product_version: '1.0',
      event_class_id: 'AUTHENTICATION_TYPE_BASIC',
      name: 'AUTHENTICATION_OUTCOME_SUCCESS',
      severity: '0',
    },
    org_id: 'o-1',
    trace_id: '3360194145499877252',
    src: '172.71.232.22',
    user_agent: '',
    success: true,
    fields: { rt: String(rt), src: '172.71.232.22', trace_id: '3360194145499877252', user_agent: '' },
    signature: { status: 'valid', kid: 'key-2025' },
    raw: CEF_LINE.replace('rt=1750688927556', `rt=${rt}`) + sig,
    ...overrides,
  };
}

export function toRecord(event: NormalizedEvent): SinkRecord {
  return { id: event.id, json: JSON.stringify(event), event };
}

export function makeRecords(count: number, from = 0): SinkRecord[] {
  return Array.from({ length: count }, (_, i) => toRecord(makeEvent(from + i)));
}
