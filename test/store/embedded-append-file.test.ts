/** The append end of an embedded collection file (nfs/shared/store/embedded-append-file.ts). */
import { expect } from 'chai';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openAppendFile } from '../../nfs/shared/store/embedded-append-file.ts';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('embedded store: the append end of a collection file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dmsc-append-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps one descriptor across appends and writes to the file that replaced the old one once told', () => {
    const filename = path.join(dir, 'c.db');
    const file = openAppendFile(filename);
    const before = openDescriptors();
    file.append('a\n');
    file.append('b\n');
    expect(openDescriptors(), 'one descriptor for both appends').to.equal(before + 1);
    writeFileSync(`${filename}.new`, 'rewritten\n');
    renameSync(`${filename}.new`, filename);
    file.replaced();
    file.append('c\n');
    expect(readFileSync(filename, 'utf8')).to.equal('rewritten\nc\n');
    file.close();
    expect(openDescriptors()).to.equal(before);
  });

  it('still writes an append that comes after close, and leaves no descriptor open for it', () => {
    const filename = path.join(dir, 'c.db');
    const file = openAppendFile(filename);
    const before = openDescriptors();
    file.append('a\n');
    file.close();
    file.append('late\n');
    expect(readFileSync(filename, 'utf8')).to.equal('a\nlate\n');
    expect(openDescriptors()).to.equal(before);
  });
});
