/**
 * The servers' V8 flags (bin/server-node-flags.ts) are the same wherever they are set: the npm
 * scripts that start bin/dmsc.js and the container image's NODE_OPTIONS; an operator's
 * NODE_OPTIONS comes before them. The NF processes of `dmsc up --processes` are checked in
 * process-mode.test.ts.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { serverNodeFlags, serverNodeFlagsFor } from '../../bin/server-node-flags.ts';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the servers\' node flags', () => {
  it('are on the command line of every npm script that runs bin/dmsc.js, before the script', () => {
    const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    const running = Object.entries(scripts).filter(([, command]) => command.includes('bin/dmsc.js'));
    expect(running.map(([name]) => name)).to.include.members(['start', 'dmsc']);
    for (const [name, command] of running) {
      expect(command.split(' ').slice(0, serverNodeFlags.length + 2), `npm run ${name}`).to.deep.equal(['node', ...serverNodeFlags, 'bin/dmsc.js']);
    }
  });

  it('are the container image\'s NODE_OPTIONS, which a service\'s environment may change', () => {
    const nodeOptions = /^\s*NODE_OPTIONS=(.*?)\s*$/m.exec(repoFile('compose/Dockerfile'))?.[1];
    expect(nodeOptions?.split(' ')).to.deep.equal([...serverNodeFlags]);
  });

  it('give way to NODE_OPTIONS setting the same flag, however its name is spelled', () => {
    expect(serverNodeFlagsFor({})).to.deep.equal([...serverNodeFlags]);
    expect(serverNodeFlagsFor({ NODE_OPTIONS: '--enable-source-maps' })).to.deep.equal([...serverNodeFlags]);
    expect(serverNodeFlagsFor({ NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=64' })).to.deep.equal([]);
    expect(serverNodeFlagsFor({ NODE_OPTIONS: '--max_semi_space_size=8' })).to.deep.equal([]);
  });

  it('are flags this node takes (it refuses an unknown one)', async function () {
    this.timeout(20_000);
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [...serverNodeFlags, '-e', 'console.log("taken")'], { timeout: 15_000 });
    expect(stdout.trim()).to.equal('taken');
    const refused = await run(process.execPath, ['--max-semi-space-sise=32', '-e', '0'], { timeout: 15_000 }).then(() => undefined, (error: { code?: number }) => error);
    expect(refused?.code, 'a misspelt flag').to.be.a('number').and.not.equal(0);
  });
});
