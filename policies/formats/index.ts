import { PolicyReport } from '../types';
import { toGithub } from './github';
import { toJson } from './json';
import { toJunit } from './junit';
import { toMarkdown } from './markdown';
import { toSarif } from './sarif';
import { toText } from './text';

import { Format } from './names';

export { FORMATS } from './names';
export type { Format } from './names';

export function render(report: PolicyReport, format: Format, version: string): string {
  switch (format) {
    case 'text':
      return toText(report);
    case 'json':
      return toJson(report);
    case 'sarif':
      return toSarif(report, version);
    case 'junit':
      return toJunit(report);
    case 'github':
      return toGithub(report);
    case 'markdown':
      return toMarkdown(report);
  }
}
