import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutDir, writeOutput } from '../../stacks/output';
import { gitplane, gitplaneArgv, ROOT, tempDir } from '../support/cli';
import { seededRandom } from '../support/random';
import { testWithMirrors } from '../support/mirrors';

/** Every entry under `dir` (through a link at `dir`) with its mode, and each file's content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const mode = (fs.lstatSync(full).mode & 0o7777).toString(8);
      if (e.isDirectory()) {
        out[`${path.relative(dir, full)}/`] = mode;
        walk(full);
      } else {
        out[path.relative(dir, full)] = `${mode} ${fs.readFileSync(full, 'utf8')}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** Entries beside `out` other than `out` and the generation it links to. */
function leftovers(out: string): string[] {
  const current = fs.readlinkSync(out);
  return fs.readdirSync(path.dirname(out)).filter((n) => n !== path.basename(out) && n !== current);
}

/**
 * Runs `gitplane synth`; once it has printed `synthesized` progress lines (the write phase comes
 * next) it is killed with SIGKILL after `killAfter(ms)` when given. Resolves when it has exited.
 */
function synth(args: string[], synthesized: number, killAfter?: () => number): Promise<{ killed: boolean; writeMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, gitplaneArgv(['synth', ...args]), { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = 0;
    let writeStarted = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      for (const line of chunk.split('\n')) {
        if (!line.startsWith('synth ')) continue;
        seen += 1;
        if (seen !== synthesized) continue;
        writeStarted = Date.now();
        if (killAfter) setTimeout(() => child.kill('SIGKILL'), killAfter());
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, writeMs: 0 });
      else if (code === 0) resolve({ killed: false, writeMs: Date.now() - writeStarted });
      else reject(new Error(`gitplane synth ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

describe('gitplane synth --out is switched in one step', () => {
  test('killed with SIGKILL at random points of the write phase, --out is always exactly the old or the new tree, and the next run leaves no temporaries', async () => {
    const out = path.join(tempDir(), 'dist');
    const inputs = tempDir();
    const changed = ['dev', 'prod'].map((name) => {
      const file = path.join(inputs, `${name}.yaml`);
      fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'environments', `${name}.yaml`), 'utf8').replace(/^ {2}branch: main$/m, '  branch: release'));
      return file;
    });
    const runs = {
      old: ['--env', 'dev', '--env', 'prod', '--out', out],
      new: [...changed.flatMap((f) => ['--file', f]), '--out', out],
    };
    // staging is never selected: both trees carry it over unchanged.
    await synth(['--env', 'staging', ...runs.old], 3);
    const trees = { old: snapshot(out), new: {} as Record<string, string> };
    const { writeMs } = await synth(runs.new, 2);
    trees.new = snapshot(out);
    expect(trees.new).not.toEqual(trees.old);
    expect(Object.keys(trees.new).filter((f) => f.startsWith('staging/'))).toEqual(Object.keys(trees.old).filter((f) => f.startsWith('staging/')));

    const random = seededRandom(20261129);
    let state: 'old' | 'new' = 'new';
    for (let trial = 0; trial < 20; trial++) {
      const next = state === 'old' ? 'new' : 'old';
      const { killed } = await synth(runs[next], 2, () => Math.floor(random() * (writeMs + 20)));
      const now = JSON.stringify(snapshot(out));
      const tree = now === JSON.stringify(trees.old) ? 'old' : now === JSON.stringify(trees.new) ? 'new' : 'a mix';
      expect(`trial ${trial}: ${tree}`).toMatch(killed ? /: (old|new)$/ : new RegExp(`: ${next}$`));
      state = tree as 'old' | 'new';
    }
    await synth(runs.old, 2);
    expect(snapshot(out)).toEqual(trees.old);
    expect(leftovers(out)).toEqual([]);
  });
});


/** `gitplane synth` under a umask, through the shell that sets it. */
function synthUnderUmask(umask: string, args: string[]) {
  return spawnSync('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, ...gitplaneArgv(['synth', ...args])], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('gitplane synth --out', () => {
  /**
   * dev synthesized once through the link under umask 077, for the test of its modes and the tests
   * that read it back.
   */
  let written: string | undefined;
  const writtenDev = () => {
    if (!written) {
      written = path.join(tempDir(), 'dist');
      expect(synthUnderUmask('077', ['--env', 'dev', '--out', written, '--quiet']).status).toBe(0);
    }
    return written;
  };

  test('writes files 0644 and directories 0755 whatever the umask', () => {
    const out = writtenDev();
    const modes = new Set(Object.entries(snapshot(out)).map(([f, v]) => `${f.endsWith('/') ? 'dir' : 'file'} ${v.split(' ')[0]}`));
    expect([...modes].sort()).toEqual(['dir 755', 'file 644']);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('755');
  });

  test('reads back through the link: diff --against sees the written tree', () => {
    expect(gitplane(['diff', '--env', 'dev', '--against', writtenDev()])).toMatchObject({ status: 0, stdout: 'dev: no changes\n' });
  });

  testWithMirrors(['schemas', 'charts'], 'reads back through the link: validate --dir and policy --dir see the written tree', () => {
    const out = writtenDev();
    expect(gitplane(['validate', '--dir', path.join(out, 'dev'), '--quiet'])).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
    expect(gitplane(['validate', '--dir', out, '--quiet'])).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
    const policy = gitplane(['policy', '--dir', path.join(out, 'dev'), '--quiet']);
    expect(policy.status).toBe(0);
    expect(policy.stdout).toContain(`${path.join(out, 'dev')}/bootstrap/application-dev-root.yaml`);
  });

  describe.each([
    ['it is on /proc', () => '/proc/gitplane-test', /--out \/proc\/gitplane-test: \/proc is on the proc filesystem/],
    ['it is on /sys', () => '/sys/gitplane-test', /--out \/sys\/gitplane-test: \/sys is on the sysfs filesystem/],
    ['it is a file', () => path.join(tempDir(), 'file'), /--out .*\/file: is not a directory/],
    ['it is under a file', () => path.join(tempDir(), 'file', 'dist'), /--out .*\/file\/dist: .*\/file is not a directory/],
    ['it holds files gitplane did not write', () => path.join(tempDir(), 'mine'), /--out .*\/mine: holds notes\.txt, which is not an environment directory/],
  ])('fails when %s', (_, make, expected) => {
    test('exits 2 naming --out before it synthesizes anything, and changes nothing', () => {
      const out = make();
      if (out.endsWith('/file')) fs.writeFileSync(out, 'kept\n');
      if (out.endsWith('/file/dist')) fs.writeFileSync(path.dirname(out), 'kept\n');
      if (out.endsWith('/mine')) {
        fs.mkdirSync(path.join(out, 'dev'), { recursive: true });
        fs.writeFileSync(path.join(out, 'notes.txt'), 'kept\n');
      }
      const parent = path.dirname(out.endsWith('/file/dist') ? path.dirname(out) : out);
      const before = parent.startsWith('/proc') || parent.startsWith('/sys') ? {} : snapshot(parent);
      const r = gitplane(['synth', '--env', 'dev', '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toContain('synth dev:');
      if (!parent.startsWith('/proc') && !parent.startsWith('/sys')) expect(snapshot(parent)).toEqual(before);
    });
  });

  test('fails when the directory it goes in is not writable: exit 2 naming --out', () => {
    const parent = tempDir();
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) fs.chmodSync(parent, 0o555);
    const r = spawnSync(process.execPath, gitplaneArgv(['synth', '--env', 'dev', '--out', path.join(parent, 'dist')]), {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      // root writes anywhere; an unprivileged user cannot write a directory root owns with 0755.
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    fs.chmodSync(parent, 0o755);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${path.join(parent, 'dist')}: ${parent} is not writable`);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  test('fails when an output path would be longer than Linux allows: exit 2, nothing written', () => {
    let deep = tempDir();
    while (deep.length < 3950) deep = path.join(deep, 'd'.repeat(200));
    fs.mkdirSync(deep, { recursive: true });
    const r = gitplane(['synth', '--env', 'dev', '--out', path.join(deep, 'dist')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out .*\/dist: output file dev\/\S+ would have a path of \d+ bytes under .*; Linux allows at most 4095\. Give a shorter --out path\./);
    expect(fs.readdirSync(deep)).toEqual([]);
  });
});

describe('writeOutput', () => {
  const tree = (env: string, files: Record<string, string>) => new Map([[env, new Map(Object.entries(files))]]);
  const deadPid = () => spawnSync('true').pid;

  test.each([
    ['a name longer than 255 bytes', `apps/nats/stream-${'s'.repeat(300)}.yaml`, /has a name of 312 bytes; file systems allow at most 255/],
    ['a ".." part', 'apps/../../escape.yaml', /is not a relative, normalised path inside its environment's directory/],
    ['an absolute path', '/etc/escape.yaml', /is not a relative, normalised path/],
    ['an empty part', 'apps//x.yaml', /is not a relative, normalised path/],
  ])('fails when an output file has %s, before anything is written', (_, file, expected) => {
    const dir = tempDir();
    const out = checkOutDir(path.join(dir, 'dist'));
    expect(() => writeOutput(out, tree('dev', { 'bootstrap/ok.yaml': 'ok\n', [file]: 'x\n' }))).toThrow(expected);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('fails when a file is also the directory of another file', () => {
    const dir = tempDir();
    expect(() => writeOutput(checkOutDir(path.join(dir, 'dist')), tree('dev', { 'apps/a': '1\n', 'apps/a/b.yaml': '2\n' }))).toThrow(/output file dev\/apps\/a is also the directory of another file/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('fails when the environment name is not a plain directory name', () => {
    const dir = tempDir();
    expect(() => writeOutput(checkOutDir(path.join(dir, 'dist')), tree('..', { 'a.yaml': '1\n' }))).toThrow(/environment name "\.\." cannot be a directory name/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('takes over a directory an older gitplane wrote: keeps its other environments, drops its killed temporaries', () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    fs.mkdirSync(path.join(out, 'prod', 'apps'), { recursive: true });
    fs.writeFileSync(path.join(out, 'prod', 'apps', 'kept.yaml'), 'kept\n');
    fs.mkdirSync(path.join(out, '.dev.new-x1y2z3'));
    fs.mkdirSync(path.join(out, '.prod.old-a1b2c3'));
    writeOutput(checkOutDir(out), tree('dev', { 'bootstrap/app.yaml': 'new\n' }));
    expect(fs.lstatSync(out).isSymbolicLink()).toBe(true);
    expect(snapshot(out)).toEqual({ 'dev/': '755', 'dev/bootstrap/': '755', 'dev/bootstrap/app.yaml': '644 new\n', 'prod/': '755', 'prod/apps/': '755', 'prod/apps/kept.yaml': '644 kept\n' });
    expect(leftovers(out)).toEqual([]);
  });

  test('removes what killed runs left beside --out, and keeps what a running one is writing', () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    writeOutput(checkOutDir(out), tree('dev', { 'a.yaml': 'one\n' }));
    const dead = deadPid();
    fs.mkdirSync(path.join(dir, `.dist.gitplane-${dead}-0a1b2c`));
    fs.symlinkSync(`.dist.gitplane-${dead}-0a1b2c`, path.join(dir, `.dist.gitplane-${dead}-0a1b2c-link`));
    fs.mkdirSync(path.join(dir, `.dist.gitplane-1-3d4e5f`));
    writeOutput(checkOutDir(out), tree('dev', { 'a.yaml': 'two\n' }));
    expect(snapshot(out)).toEqual({ 'dev/': '755', 'dev/a.yaml': '644 two\n' });
    expect(leftovers(out)).toEqual(['.dist.gitplane-1-3d4e5f']);
  });

  test('puts back a directory a run killed during the take-over had moved aside', () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    const aside = path.join(dir, `.dist.gitplane-${deadPid()}-previous`);
    fs.mkdirSync(path.join(aside, 'prod'), { recursive: true });
    fs.writeFileSync(path.join(aside, 'prod', 'kept.yaml'), 'kept\n');
    writeOutput(checkOutDir(out), tree('dev', { 'a.yaml': 'new\n' }));
    expect(snapshot(out)).toEqual({ 'dev/': '755', 'dev/a.yaml': '644 new\n', 'prod/': '755', 'prod/kept.yaml': '644 kept\n' });
    expect(leftovers(out)).toEqual([]);
  });
});
