/**
 * Every way of starting the servers runs node with the same V8 flags (bin/server-node-flags.ts):
 * the command's shebang (what `npx dmsc` runs), `npm start` and the container's entrypoint.
 * The NF processes of `dmsc up --processes` are checked in process-mode.test.ts.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { serverNodeFlags } from '../../bin/server-node-flags.ts';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the servers\' node flags', () => {
  it('are in the shebang of bin/dmsc.js, passed through env -S', () => {
    const shebang = repoFile('bin/dmsc.js').split('\n')[0];
    expect(shebang.split(' ')).to.deep.equal(['#!/usr/bin/env', '-S', 'node', ...serverNodeFlags]);
  });

  it('start npm start, before the script', () => {
    const start = (JSON.parse(repoFile('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start.split(' ').slice(0, serverNodeFlags.length + 2)).to.deep.equal(['node', ...serverNodeFlags, 'bin/dmsc.js']);
  });

  it('start the container image\'s entrypoint', () => {
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(repoFile('compose/Dockerfile'))?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).to.deep.equal(['node', ...serverNodeFlags, 'bin/dmsc.js']);
  });

  it('are flags this node takes: bin/dmsc.js runs through its shebang', async function () {
    this.timeout(30_000);
    const { stdout } = await promisify(execFile)(new URL('../../bin/dmsc.js', import.meta.url).pathname, ['--help'], { timeout: 25_000 });
    expect(stdout).to.match(/^Usage: dmsc/m);
  });
});
