/** This repository's project configuration: the team's own applications, registered one line each. */
import { defineConfig } from './index';
import { exampleApi } from './apps/example-api';

export default defineConfig({
  apps: [exampleApi],
});
