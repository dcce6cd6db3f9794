/**
 * /capability/knowledge-qa: answers from the operator knowledge base (BM25 over short articles,
 * minisearch), or, given a root-cause-analysis input and no question, the article that explains
 * the root cause to the user (seed 004, use case 2, phase 2).
 *
 * Parameters: question (free text, up to 500 characters).
 */
import MiniSearch from 'minisearch';
import { completed, failed, inputOf, isRecord, type CapabilityHandler } from './capability-types.ts';
import { articles, type Article } from './knowledge-articles.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

const stopWords = new Set(['a', 'an', 'the', 'is', 'are', 'my', 'i', 'me', 'do', 'does', 'how', 'what', 'why', 'when', 'to', 'of', 'in', 'on', 'it', 'and', 'or', 'can', 'you', 'your', 'for', 'with', 'at', 'be']);

/** The first two sentences of an article: the answer stays short. */
const gist = (article: Article) => (article.text.match(/[^.!?]+[.!?]+/g) ?? [article.text]).slice(0, 2).join('').trim();

function search(question: string): Array<{ article: Article; score: number }> {
  // Twelve articles index in well under a millisecond; building per call keeps no shared state.
  const index = new MiniSearch<Article>({
    fields: ['title', 'text', 'tags'],
    processTerm: (term) => (stopWords.has(term.toLowerCase()) ? null : term.toLowerCase()),
    searchOptions: { boost: { title: 2, tags: 2 }, fuzzy: 0.2, prefix: true },
  });
  index.addAll([...articles]);
  return index.search(question).slice(0, 3).map((hit) => ({ article: articles.find((entry) => entry.id === hit.id)!, score: Math.round(hit.score * 100) / 100 }));
}

export const knowledgeQa: CapabilityHandler = async (task) => {
  const params = readParameters(task.parameters);
  const question = params.string('question', 500);
  const problem = parameterFailure(task, params);
  if (problem) return problem;

  if (question === undefined) {
    const rootCause = inputOf(task, '/capability/root-cause-analysis')?.data.rootCause;
    const code = isRecord(rootCause) ? rootCause.code : undefined;
    const article = articles.find((entry) => typeof code === 'string' && entry.causes?.includes(code));
    if (!article) {
      return failed(task, 'There was no question to answer and no diagnosed root cause to explain.', { reason: 'MISSING_QUESTION' });
    }
    return completed(task, `${article.title}: ${gist(article)}`, { question: null, rootCause: code, answers: [{ id: article.id, title: article.title, text: article.text }] });
  }
  const hits = search(question);
  if (hits.length === 0) {
    return completed(task, `I found no help article about "${question.slice(0, 80)}"; try asking about broadband, Wi-Fi, mobile signal, QoS or your plan.`, { question, answers: [] });
  }
  const [best] = hits;
  return completed(task, `${best.article.title}: ${gist(best.article)}`, {
    question, answers: hits.map(({ article, score }) => ({ id: article.id, title: article.title, text: article.text, score })),
  });
};
