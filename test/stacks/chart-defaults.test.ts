/**
 * A pinned chart's default values come from its verified archive when no schema source has them,
 * so the values gitplane writes for it are still checked key by key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveDefaultsDir } from '../../stacks/chart-source';
import { checkHelmValues } from '../../validation';
import { CHARTS_DIR } from '../support/charts';
import { tempDir } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';

const sources = () => ({ locked: [], cache: tempDir(), mirror: CHARTS_DIR, mirrorSetting: 'GITPLANE_CHART_MIRROR' });

testWithMirrors(['charts'], 'the defaults of nack 0.34.0 are read from its archive in the offline Helm repository, once', () => {
  const s = sources();
  const dir = archiveDefaultsDir('nack', '0.34.0', s)!;
  expect(fs.readFileSync(path.join(dir, 'nack-0.34.0.yaml'), 'utf8')).toContain('containerSecurityContext: {}');
  expect(archiveDefaultsDir('nack', '0.34.0', s)).toBe(dir);
  const values = { containerSecurityContext: { allowPrivilegeEscalation: false } };
  expect(checkHelmValues({ chart: 'nack', version: '0.34.0', values, file: 'dev/values/nats.yaml' }, [dir])).toEqual([]);
});

testWithMirrors(['charts'], 'fails when a value key is not the chart\'s: the archive\'s defaults catch it', () => {
  const dir = archiveDefaultsDir('nack', '0.34.0', sources())!;
  const [problem] = checkHelmValues({ chart: 'nack', version: '0.34.0', values: { containerSecurityContex: {} }, file: 'dev/values/nats.yaml' }, [dir]);
  expect(problem.message).toContain('containerSecurityContex: nack 0.34.0 has no value "containerSecurityContex" under the top level. Did you mean "containerSecurityContext"?');
});

test('no archive anywhere: no directory, and the values stay unchecked as before', () => {
  expect(archiveDefaultsDir('nack', '0.0.1', sources())).toBeUndefined();
});
