/**
 * The drift test (STYLE.md, layout): openapi/generated/ is committed and never edited by hand, so
 * it must be exactly what `npm run gen` makes of the YAML files as they stand.
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { generatedDir, generateTypes, listSpecFiles } from '../../nfs/shared/openapi-types.ts';

const specFiles = await listSpecFiles();

/** Where two texts first differ, as "line N: expected ... got ...", to make a failure readable. */
function firstDifference(expected: string, actual: string): string {
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  for (let line = 0; line < Math.max(expectedLines.length, actualLines.length); line += 1) {
    if (expectedLines[line] !== actualLines[line]) {
      return `line ${line + 1}: generated ${JSON.stringify(expectedLines[line] ?? '<end of file>')}, committed ${JSON.stringify(actualLines[line] ?? '<end of file>')}`;
    }
  }
  return 'same lines, different bytes (line endings or encoding)';
}

describe('openapi/generated', () => {
  it('has a YAML file to generate from', () => {
    expect(specFiles).to.include.members(['common.yaml', 'nnrf-nfm.yaml', 'nnrf-disc.yaml', 'nnrf-oauth2.yaml']);
  });

  for (const specFile of specFiles) {
    it(`holds exactly what npm run gen makes of openapi/${specFile}`, async () => {
      const { outputFile, source } = await generateTypes(specFile);
      const shown = `openapi/generated/${basename(outputFile)}`;
      const committed = await readFile(outputFile).catch(() => undefined);
      expect(committed, `${shown} is missing: run \`npm run gen\` and commit the result`).to.not.equal(undefined);
      const generated = Buffer.from(source, 'utf8');
      const same = generated.equals(committed!);
      expect(
        same,
        same ? '' : `${shown} is out of date with openapi/${specFile} (${firstDifference(source, committed!.toString('utf8'))}): run \`npm run gen\` and commit the result`,
      ).to.equal(true);
    });
  }

  it('holds no file without a YAML file it was generated from', async () => {
    const generatedFiles = await readdir(generatedDir);
    const expected = specFiles.map((specFile) => `${basename(specFile, '.yaml')}.ts`);
    const stale = generatedFiles.filter((file) => !expected.includes(file));
    expect(stale, `openapi/generated/ holds ${stale.join(', ')} with no YAML in openapi/: delete it, or restore its YAML and run \`npm run gen\``).to.deep.equal([]);
  });

  it('writes every file into openapi/generated/', async () => {
    for (const specFile of specFiles) {
      const { outputFile } = await generateTypes(specFile);
      expect(outputFile).to.equal(join(generatedDir, `${basename(specFile, '.yaml')}.ts`));
    }
  });
});
