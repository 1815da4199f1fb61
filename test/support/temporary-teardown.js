/** Removes the run's temporary directory (temporary-setup.js). */
const fs = require('node:fs');

module.exports = () => {
  const dir = process.env.GITPLANE_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
