/**
 * renovate.json's regex managers find every pin they are meant to update: Renovate applies
 * `matchStrings` as JavaScript regular expressions with named groups, so the same expressions run
 * here over the same files; it writes an update by rendering `autoReplaceStringTemplate` with
 * Handlebars, as here, in place of the whole match.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { readVersions } from '../../stacks/versions';
import { ROOT } from '../support/cli';

interface RegexManager {
  description: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  autoReplaceStringTemplate?: string;
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

describe('image digests in environments/versions.yaml', () => {
  const FILE = 'environments/versions.yaml';
  const shipped = fs.readFileSync(path.join(ROOT, FILE), 'utf8');
  const images = managers.find((m) => m.description.startsWith('Container images pinned in environments/versions.yaml'))!;
  const matcher = new RegExp(images.matchStrings[0], 'g');
  const template = Handlebars.compile(images.autoReplaceStringTemplate!);
  const DIGEST = `sha256:${'ab'.repeat(32)}`;
  /** The file as Renovate writes it once every image's match is replaced by the template with `fields`. */
  const updated = (text: string, fields: (groups: Record<string, string | undefined>) => Record<string, string | undefined>) =>
    text.replace(matcher, (...args) => template({ ...(args.at(-1) as Record<string, string | undefined>), ...fields(args.at(-1)) }));

  test('an image pinned with a digest is found with its tag and digest', () => {
    const text = shipped.replace('tag: 1.37.0', `tag: 1.37.0@${DIGEST}`);
    const found = [...text.matchAll(matcher)].map((m) => m.groups!).find((g) => g.depName === 'docker.io/library/busybox');
    expect(found).toMatchObject({ currentValue: '1.37.0', currentDigest: DIGEST });
  });

  test('pinning every digest writes tag@digest, which gitplane reads back; the same values write the file unchanged', () => {
    expect(updated(shipped, (g) => ({ newValue: g.currentValue, newDigest: g.currentDigest }))).toBe(shipped);
    const pinned = updated(shipped, (g) => ({ newValue: g.currentValue, newDigest: DIGEST }));
    const before = readVersions(shipped, () => FILE);
    const after = readVersions(pinned, () => FILE);
    expect(Object.keys(after.images)).toEqual(Object.keys(before.images));
    for (const [key, pin] of Object.entries(after.images)) expect({ key, ...pin }).toEqual({ key, ...before.images[key], tag: `${before.images[key].tag}@${DIGEST}` });
    expect(updated(pinned, (g) => ({ newValue: g.currentValue, newDigest: g.currentDigest }))).toBe(pinned);
  });

  test('an update moves tag and digest together', () => {
    const pinned = shipped.replace('tag: 1.37.0', `tag: 1.37.0@${DIGEST}`);
    const next = `sha256:${'cd'.repeat(32)}`;
    const bumped = updated(pinned, (g) => (g.depName === 'docker.io/library/busybox' ? { newValue: '1.37.1', newDigest: next } : { newValue: g.currentValue, newDigest: g.currentDigest }));
    expect(readVersions(bumped, () => FILE).images.preflight.tag).toBe(`1.37.1@${next}`);
  });
});
