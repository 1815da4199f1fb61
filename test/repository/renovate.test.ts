/**
 * renovate.json's regex managers find every pin they are meant to update: Renovate applies
 * `matchStrings` as JavaScript regular expressions with named groups, so the same expressions run
 * here over the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

interface RegexManager {
  managerFilePatterns: string[];
  matchStrings: string[];
}

const managers: RegexManager[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'renovate.json'), 'utf8')).customManagers;

/** Every match of the managers that apply to `file`, as depName=currentValue. */
function updates(file: string, text = fs.readFileSync(path.join(ROOT, file), 'utf8')): string[] {
  return managers
    .filter((m) => m.managerFilePatterns.some((p) => new RegExp(p.slice(1, -1)).test(file)))
    .flatMap((m) => m.matchStrings.flatMap((s) => [...text.matchAll(new RegExp(s, 'g'))].map((x) => `${x.groups!.depName}=${x.groups!.currentValue}`)));
}

test('every tool pin of tools/install.sh with a renovate comment is found, with its module and version', () => {
  const text = fs.readFileSync(path.join(ROOT, 'tools/install.sh'), 'utf8');
  const annotated = [...text.matchAll(/^# renovate: datasource=go depName=(\S+)\n[A-Z_]+=(\S+)$/gm)].map((m) => `${m[1]}=${m[2]}`);
  expect(annotated.length).toBeGreaterThanOrEqual(6);
  expect(updates('tools/install.sh')).toEqual(annotated);
  expect(annotated).toContain(`github.com/nats-io/nats-server/v2=${/^NATS_SERVER_VERSION=(\S+)$/m.exec(text)![1]}`);
});

test('fails when a pin drifts from its renovate comment: the manager no longer finds it', () => {
  const text = fs.readFileSync(path.join(ROOT, 'tools/install.sh'), 'utf8').replace(/(# renovate: datasource=go depName=github\.com\/nats-io\/nats-server\/v2)\n/, '$1\n\n');
  expect(updates('tools/install.sh', text).some((u) => u.startsWith('github.com/nats-io/nats-server/v2='))).toBe(false);
});

test('every image and chart of environments/versions.yaml is found', () => {
  const text = fs.readFileSync(path.join(ROOT, 'environments/versions.yaml'), 'utf8');
  const pins = (text.match(/^\s+tag: /gm) ?? []).length + (text.match(/^\s+chart: /gm) ?? []).length;
  expect(pins).toBeGreaterThan(0);
  expect(updates('environments/versions.yaml')).toHaveLength(pins);
});
