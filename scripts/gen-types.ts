/** `npm run gen`: regenerates openapi/generated/ from the OpenAPI files. */
import { mkdir, writeFile } from 'node:fs/promises';
import { generatedDir, generateTypes, listSpecFiles } from '../nfs/shared/openapi-types.ts';

await mkdir(generatedDir, { recursive: true });
for (const specFile of await listSpecFiles()) {
  const { outputFile, source } = await generateTypes(specFile);
  await writeFile(outputFile, source);
  console.log(`generated ${outputFile}`);
}
