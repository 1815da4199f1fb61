import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnvironment } from '../../../stacks/environment';
import { synthEnvironment } from '../../../stacks/synth';
import { ROOT } from '../../support/cli';
import { built } from '../../support/environments';
import { check, env } from '../support';

const RULE = 'nats-stream-recreate';
const FILE = 'environments/prod.yaml';
const PROD = fs.readFileSync(path.join(ROOT, FILE), 'utf8');
const AUDIT = '      - name: AUDIT\n        subjects: ["audit.>"]\n        retention: limits\n';
const base = { ref: 'origin/main', objects: built('prod').output.objects.map((o) => o.manifest) };

/** prod with the AUDIT stream's lines replaced, loaded from text so findings can name lines. */
function judge(audit: string, options: { base?: typeof base | null } = {}) {
  const spec = parseEnvironment(PROD.replace(AUDIT, audit), FILE, { expectName: 'prod' });
  const e = { ...env(synthEnvironment(spec).objects, { spec }), ...(options.base === null ? {} : { base: options.base ?? base }) };
  return check(RULE, e);
}

describe('nats-stream-recreate', () => {
  test('passes prod against itself, and changes nats-server makes in place (must-not-fire)', () => {
    expect(judge(AUDIT)).toEqual([]);
    expect(judge(AUDIT.replace('retention: limits', 'retention: interest'))).toEqual([]);
    expect(judge(AUDIT.replace('subjects: ["audit.>"]', 'subjects: ["audit.>", "security.>"]\n        replicas: 1'))).toEqual([]);
  });

  test('does not apply without a base to compare with (must-not-fire)', () => {
    expect(judge(AUDIT.replace('retention: limits', 'retention: workqueue'), { base: null })).toEqual([]);
  });

  test('fails when retention becomes workqueue without an acknowledgement, naming the line to add it at', () => {
    const [finding, ...rest] = judge(AUDIT.replace('retention: limits', 'retention: workqueue'));
    expect(rest).toEqual([]);
    expect(`${finding.ref}: ${finding.message}`).toBe(
      'Stream/nats/stream-audit: Against origin/main, changing retention from limits to workqueue recreates the stream, loses messages: nats-server refuses it in place ("stream configuration update can not change retention policy to/from workqueue"), so the old stream must be deleted first (not acknowledged).',
    );
    expect(finding.value).toBe('retention: limits -> workqueue');
    expect(finding.level).toBe('mandatory');
    expect(finding.fix).toBe(
      `Keep retention limits, or, if losing the stream's messages is intended, add { field: retention, from: limits, to: workqueue } to components.nats.streams[1].acknowledgeRecreate (${FILE}:75:9); then delete the old stream (nats stream rm AUDIT) so the NACK controller creates the new one.`,
    );
  });

  test('fails when storage changes to memory without an acknowledgement', () => {
    expect(judge(`${AUDIT}        storage: memory\n`).map((f) => f.value)).toEqual(['storage: file -> memory']);
  });

  test('fails when a stream is renamed while its subjects stay, naming the old stream to delete', () => {
    const [finding] = judge(AUDIT.replace('name: AUDIT', 'name: AUDIT_LOG'));
    expect(finding.ref).toBe('Stream/nats/stream-audit-log');
    expect(finding.message).toContain('renaming stream AUDIT to AUDIT_LOG recreates the stream, loses messages');
    expect(finding.fix).toContain('add { field: name, from: AUDIT, to: AUDIT_LOG } to components.nats.streams[1].acknowledgeRecreate');
    expect(finding.fix).toContain('(nats stream rm AUDIT)');
  });

  test('passes an acknowledged change (must-not-fire), and fails when the acknowledgement names another change', () => {
    const changed = AUDIT.replace('retention: limits', 'retention: workqueue');
    expect(judge(`${changed}        acknowledgeRecreate:\n          - { field: retention, from: limits, to: workqueue }\n`)).toEqual([]);
    // Acknowledged from interest, but the base is limits: not the change being made.
    expect(judge(`${changed}        acknowledgeRecreate:\n          - { field: retention, from: interest, to: workqueue }\n`).map((f) => f.value)).toEqual(['retention: limits -> workqueue']);
  });
});
