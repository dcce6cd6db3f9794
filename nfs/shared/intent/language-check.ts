/**
 * Tells English from other languages before matching, so that "Mon internet est lent" gets "I
 * only understand English" rather than a guess built on the one English-looking word in it. Two
 * signals: letters of a non-Latin script ("我的网络很慢", "Мой интернет медленный"), and, for
 * Latin-script languages, function words of French, Spanish, Italian, Portuguese and German that
 * are not English words. A few borrowed words in an English sentence ("déjà vu", "José") pass.
 */

// Frequent function words and the complaint words of intents, chosen to have no English homograph
// ("me", "no", "a", "pour", "sent" are left out).
const MARKERS: Readonly<Record<string, readonly string[]>> = {
  fr: [
    'le', 'les', 'mon', 'ma', 'mes', 'est', 'sont', 'ne', 'pas', 'très', 'je', "j'ai", 'suis', 'où', 'et', 'avec', 'une',
    'des', 'du', 'au', 'lent', 'lente', 'marche', 'fonctionne', 'pourquoi', 'votre', 'nous', 'vous', "c'est", 'quel',
    'quelle', 'facture', 'forfait', 'réseau', 'connexion', 'maison', 'ça', 'qui', 'quoi', 'comment', 'il', 'elle', 'mais',
  ],
  es: [
    'mi', 'mis', 'el', 'los', 'las', 'es', 'está', 'esta', 'va', 'muy', 'lento', 'lenta', 'funciona', 'por', 'qué', 'que',
    'dónde', 'donde', 'estoy', 'tengo', 'para', 'una', 'del', 'casa', 'factura', 'señal', 'mucho', 'hoy',
    'y', 'pero', 'cuánto', 'cuanto', 'puedes',
  ],
  it: ['il', 'mio', 'mia', 'è', 'molto', 'lento', 'lenta', 'non', 'funziona', 'dove', 'sono', 'della', 'perché', 'rete', 'casa', 'bolletta', 'che'],
  pt: ['meu', 'minha', 'está', 'muito', 'lenta', 'lento', 'não', 'funciona', 'onde', 'estou', 'rede', 'casa', 'conta', 'por', 'que', 'uma'],
  de: [
    'mein', 'meine', 'ist', 'nicht', 'sehr', 'langsam', 'das', 'der', 'und', 'ich', 'wo', 'funktioniert',
    'zu', 'mit', 'für', 'rechnung', 'netz', 'warum', 'geht', 'kein', 'keine', 'auf', 'zuhause',
  ],
};

const MARKER_SETS = Object.entries(MARKERS).map(([language, words]) => [language, new Set(words)] as const);

const LETTER = /\p{L}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;
// Letters with diacritics that English spelling does not use.
const FOREIGN_DIACRITIC = /[àâäçéèêëîïôöûùüÿñæœáíóúãõßì]/;

export interface LanguageVerdict {
  english: boolean;
  /** ISO 639-1 code when another language was recognised, 'other' for another script. */
  language?: string;
}

/** Decides whether a text is English enough to be matched against the English catalogue. */
export function checkLanguage(text: string): LanguageVerdict {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return { english: true };
  const latin = text.match(LATIN_LETTER)?.length ?? 0;
  // Mostly another script: Han, Cyrillic, Arabic, Devanagari, ... (emoji and digits are not letters).
  if (latin / letters < 0.7) return { english: false, language: 'other' };

  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  if (!words.length) return { english: true };
  let best: { language: string; count: number } | undefined;
  for (const [language, set] of MARKER_SETS) {
    const count = words.filter((w) => set.has(w)).length;
    if (count > (best?.count ?? 0)) best = { language, count };
  }
  if (!best) return { english: true };
  const share = best.count / words.length;
  const accented = words.some((w) => FOREIGN_DIACRITIC.test(w));
  // Two marker words making up 40 % of the text, or one with a foreign diacritic somewhere.
  if ((best.count >= 2 && share >= 0.4) || (accented && best.count >= 1 && share >= 0.25)) {
    return { english: false, language: best.language };
  }
  return { english: true };
}
