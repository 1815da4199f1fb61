/**
 * The Longhorn restore drill's scripts. The canary script runs for real (write, then verify a
 * copy, corrupted and stale copies too). The drill script needs Longhorn and an API server, which
 * do not run here: it runs against a kubectl stand-in that answers as Longhorn would and records
 * what the script applies, and those manifests are validated with the Kubernetes and Longhorn
 * schemas the platform is validated with.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Manifest } from '../../stacks/objects';
import { loadSettings } from '../../stacks/settings';
import { validatorFor } from '../../validation';
import { tempDir } from '../support/cli';
import { HUNG_MS } from '../support/limits';
import { describeWithTool } from '../support/tools';
import { testWithMirrors } from '../support/mirrors';

const DIR = path.resolve(__dirname, '../../constructs/storage/longhorn');
const CANARY = path.join(DIR, 'longhorn-drill-canary.sh');
const DRILL = path.join(DIR, 'longhorn-restore-drill.sh');

function sh(file: string, args: string[], env: Record<string, string>) {
  const r = spawnSync('/bin/sh', [file, ...args], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: HUNG_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const write = (dir: string) => sh(CANARY, ['write'], { CANARY_DIR: dir });
const verify = (dir: string, maxAge = '3600') => sh(CANARY, ['verify'], { CANARY_DIR: dir, CANARY_MAX_AGE_SECONDS: maxAge });
const generations = (dir: string) => fs.readdirSync(dir).filter((g) => g.startsWith('gen-')).sort();

describe('longhorn-drill-canary.sh', () => {
  test('a written canary verifies: every file matches its checksum and it is fresh', () => {
    const dir = tempDir();
    expect(write(dir).code).toBe(0);
    const r = verify(dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/data: OK\nwritten-at: OK\n.*drill passed: gen-\d+ restores with matching checksums, written \d+s ago/);
  });

  test('write keeps the newest three generations', () => {
    const dir = tempDir();
    for (const epoch of [100, 200, 300, 400]) {
      fs.mkdirSync(path.join(dir, `gen-${epoch}`));
      fs.writeFileSync(path.join(dir, `gen-${epoch}`, 'SHA256SUMS'), '');
    }
    expect(write(dir).code).toBe(0);
    expect(generations(dir)).toHaveLength(3);
    expect(generations(dir)).toEqual(expect.arrayContaining(['gen-300', 'gen-400']));
  });

  test('a half-written newest generation (no SHA256SUMS yet) is skipped for the complete one before it', () => {
    const dir = tempDir();
    expect(write(dir).code).toBe(0);
    fs.mkdirSync(path.join(dir, 'gen-9999999999'));
    fs.writeFileSync(path.join(dir, 'gen-9999999999', 'data'), 'half');
    expect(verify(dir).code).toBe(0);
  });

  test('fails when a restored byte differs from what was written', () => {
    const dir = tempDir();
    expect(write(dir).code).toBe(0);
    const data = path.join(dir, generations(dir)[0], 'data');
    const bytes = fs.readFileSync(data);
    bytes[100] ^= 0xff;
    fs.writeFileSync(data, bytes);
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the restored gen-\d+ does not match its checksums; the backup or the restore corrupted data\./);
  });

  test('fails when the newest restored canary is older than allowed (backups of the canary stopped)', () => {
    const dir = tempDir();
    expect(write(dir).code).toBe(0);
    const gen = path.join(dir, generations(dir)[0]);
    // An intact canary written two hours ago.
    fs.writeFileSync(path.join(gen, 'written-at'), `${Math.floor(Date.now() / 1000) - 7200}\n`);
    expect(spawnSync('sh', ['-c', 'sha256sum data written-at > SHA256SUMS'], { cwd: gen }).status).toBe(0);
    const r = verify(dir, '3600');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the newest restored canary was written 72\d\ds ago, more than the 3600s allowed; backups of the canary volume are stale\./);
  });

  test('fails when the restored volume holds no canary', () => {
    const r = verify(tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('holds no complete canary generation');
  });

  test('fails with usage on an unknown mode, and when CANARY_DIR or the maximum age is missing', () => {
    expect(sh(CANARY, ['check'], {}).code).toBe(2);
    expect(sh(CANARY, ['--help'], {})).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: longhorn-drill-canary.sh write|verify') });
    expect(sh(CANARY, ['write'], {}).stderr).toContain('CANARY_DIR is not set.');
    expect(sh(CANARY, ['verify'], { CANARY_DIR: tempDir() }).stderr).toContain('CANARY_MAX_AGE_SECONDS is not set.');
  });
});

/** A kubectl stand-in answering as Longhorn and the API server would; it records calls and applied manifests. */
function kubectlStandIn(dir: string, phase: 'Succeeded' | 'Failed', backups: string[]): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'backups.tsv'), backups.map((b) => `${b}\n`).join(''));
  fs.writeFileSync(
    path.join(bin, 'kubectl'),
    `#!/bin/sh
printf '%s\\n' "$*" >> "${dir}/calls"
case "$*" in
  *"get pvc gitplane-drill-canary"*) printf 'pvc-canary' ;;
  *"get backups.longhorn.io"*) cat "${dir}/backups.tsv" ;;
  *"apply -f -"*) { cat; printf '%s\\n' '---'; } >> "${dir}/applied.yaml" ;;
  *"restoreInitiated"*) printf 'true' ;;
  *"restoreRequired"*) printf 'false' ;;
  *".status.state"*) printf 'detached' ;;
  *".status.phase"*) printf '${phase}' ;;
  *"logs"*) echo 'verify: drill passed' ;;
  *"delete"*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  return bin;
}

describe('longhorn-restore-drill.sh (against a kubectl stand-in: no Longhorn here)', () => {
  const env = (bin: string) => ({
    PATH: `${bin}:${process.env.PATH}`,
    DRILL_PVC: 'longhorn-system/gitplane-drill-canary',
    DRILL_VERIFY_IMAGE: 'docker.io/library/busybox:1.37.0',
    DRILL_SCRIPTS_CONFIGMAP: 'longhorn-restore-drill-scripts',
    CANARY_MAX_AGE_SECONDS: '93600',
  });
  const BACKUPS = [
    'pvc-canary\tCompleted\t2026-11-27T02:00:03Z\ts3://example-backups@eu-west-1/?backup=backup-old&volume=pvc-canary\t134217728',
    'pvc-canary\tCompleted\t2026-11-28T02:00:04Z\ts3://example-backups@eu-west-1/?backup=backup-new&volume=pvc-canary\t134217728',
    'pvc-canary\tError\t2026-11-29T02:00:02Z\ts3://example-backups@eu-west-1/?backup=backup-broken&volume=pvc-canary\t134217728',
    'pvc-other\tCompleted\t2026-11-29T03:00:00Z\ts3://example-backups@eu-west-1/?backup=backup-other&volume=pvc-other\t1073741824',
  ];

  /** The drill run once against the stand-in, with what it applied. */
  let drill: { dir: string; r: ReturnType<typeof sh>; applied: Manifest[] } | undefined;
  const drilled = () => {
    if (!drill) {
      const dir = tempDir();
      const r = sh(DRILL, [], env(kubectlStandIn(dir, 'Succeeded', BACKUPS)));
      drill = { dir, r, applied: parseAllDocuments(fs.readFileSync(path.join(dir, 'applied.yaml'), 'utf8')).map((d) => d.toJS() as Manifest).filter(Boolean) };
    }
    return drill;
  };

  testWithMirrors(['schemas'], 'the manifests the drill applies pass the pinned CRDs\' schemas', () => {
    const { applied } = drilled();
    expect(applied).toHaveLength(4);
    expect(validatorFor(loadSettings()).validate(applied.map((manifest) => ({ manifest, file: 'applied.yaml' })))).toEqual([]);
  });

  test('restores the newest completed backup of the drilled volume', () => {
    const { dir, r, applied } = drilled();
    expect(r.stderr).toContain('drill passed: the backup of pvc-canary created at 2026-11-28T02:00:04Z restores and verifies');
    expect(r.code).toBe(0);
    expect(applied.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Volume/gitplane-restore-drill', 'PersistentVolume/gitplane-restore-drill', 'PersistentVolumeClaim/gitplane-restore-drill', 'Pod/gitplane-restore-drill']);
    expect((applied[0].spec as { fromBackup: string }).fromBackup).toBe('s3://example-backups@eu-west-1/?backup=backup-new&volume=pvc-canary');
    // Leftovers of an earlier run are removed before, and the scratch objects after.
    const calls = fs.readFileSync(path.join(dir, 'calls'), 'utf8');
    // The restore is awaited from its start to its end, then the volume's detachment.
    expect(calls.split('\n').filter((c) => c.includes('get volumes.longhorn.io')).map((c) => c.replace(/.*jsonpath=/, ''))).toEqual([
      '{.status.restoreInitiated}',
      '{.status.restoreRequired}',
      '{.status.state}',
    ]);
    expect(calls.match(/delete volumes\.longhorn\.io gitplane-restore-drill/g)).toHaveLength(2);
  });

  test('fails when the verifying pod fails, and still removes the scratch objects', () => {
    const dir = tempDir();
    const r = sh(DRILL, [], env(kubectlStandIn(dir, 'Failed', BACKUPS)));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the restored backup of pvc-canary created at 2026-11-28T02:00:04Z did not verify (pod Failed); its log is above.');
    expect(fs.readFileSync(path.join(dir, 'calls'), 'utf8').trimEnd().split('\n').at(-1)).toMatch(/^-n longhorn-system delete volumes\.longhorn\.io gitplane-restore-drill/);
  });

  test('fails when the volume has no completed backup', () => {
    const r = sh(DRILL, [], env(kubectlStandIn(tempDir(), 'Succeeded', [BACKUPS[2], BACKUPS[3]])));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: volume pvc-canary (longhorn-system/gitplane-drill-canary) has no completed backup; check the gitplane-backup RecurringJob and the backup target.');
  });

  test('fails when a setting is missing or DRILL_PVC has no namespace', () => {
    const bin = kubectlStandIn(tempDir(), 'Succeeded', BACKUPS);
    expect(sh(DRILL, [], { ...env(bin), DRILL_VERIFY_IMAGE: '' }).stderr).toContain('error: DRILL_VERIFY_IMAGE is not set.');
    expect(sh(DRILL, [], { ...env(bin), DRILL_PVC: 'gitplane-drill-canary' }).stderr).toContain('DRILL_PVC must be namespace/name (got "gitplane-drill-canary").');
    expect(sh(DRILL, ['--bogus'], env(bin)).code).toBe(2);
  });
});

describeWithTool('shellcheck', 'Longhorn drill scripts lint', (shellcheck) => {
  test('shellcheck passes on both scripts', () => {
    const r = spawnSync(shellcheck, ['-x', DRILL, CANARY], { encoding: 'utf8', cwd: DIR });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
