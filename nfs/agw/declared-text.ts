/**
 * Free text an agent declares at registration (its name, its description, a capability asked for
 * in words) is screened as a query is (text-screen.ts) and kept as screened: invisible characters
 * are removed (zero-width, bidi controls, and Unicode tag characters, which can spell an
 * instruction no reader sees and no rule would match), and a word mixing Latin with Greek or
 * Cyrillic look-alikes is written in Latin (a name that imitates another's). Text addressed to an
 * AI system, and text with nothing visible left, is refused (400 CONTENT_REJECTED naming `param`).
 */
import { badRequest } from '../shared/problem.ts';
import { screenText } from '../shared/text-screen.ts';

export function screenedDeclaredText(param: string, text: string): string {
  const screened = screenText(text);
  if (screened.verdict === 'BLOCK') {
    throw badRequest(`${param} is refused: ${screened.reason ?? screened.rules.join(', ')}`, [{ param, reason: 'looks like an instruction to an AI system' }], 'CONTENT_REJECTED');
  }
  if (text.trim() && !screened.text.trim()) throw badRequest(`${param} has no visible text once invisible characters are removed`, [{ param, reason: 'only invisible characters' }], 'CONTENT_REJECTED');
  return screened.text;
}
