/** A malformed or mistyped AIC is refused before any lookup (ACPs-spec-AIC v02.02 section 4.2). */
import { parseAic } from '../shared/aic.ts';
import { badRequest } from '../shared/problem.ts';

export function canonicalAic(text: string, saltHex: string, param: string): string {
  const parsed = parseAic(text, { saltHex });
  if (!parsed.ok) throw badRequest(`the AIC is refused: ${parsed.reason}`, [{ param, reason: parsed.reason }], parsed.cause);
  return parsed.aic.text;
}
