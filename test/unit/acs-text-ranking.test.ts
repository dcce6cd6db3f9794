import { expect } from 'chai';
import { combinedScore, createAcsTextScorer } from '../../nfs/agw/acs-text-ranking.ts';
import { queryTerms } from '../../nfs/agw/capability-matcher.ts';
import type { AgentDocument } from '../../nfs/agw/store.ts';

const agentWith = (name: string, description: string) => ({ acs: { name, description } }) as unknown as AgentDocument;

describe('ACS text ranking', () => {
  it('scores the share of the request terms an agent names, as the capability matcher processes them', () => {
    const score = createAcsTextScorer();
    // "my" and "can" are stop words; "fix" meets "Fixes" through the stemmer.
    expect(score(queryTerms('can you fix my home broadband'), agentWith('broadband-agent', 'Fixes home broadband'))).to.equal(1);
    expect(score(queryTerms('fix my home broadband and my mobile signal'), agentWith('broadband-agent', 'Fixes home broadband'))).to.equal(0.6);
    expect(score(queryTerms('where am I'), agentWith('broadband-agent', 'Fixes home broadband'))).to.equal(0);
    expect(score([], agentWith('any', 'anything'))).to.equal(0);
  });

  it('keeps the capability match first: a full text match adds at most a fifth', () => {
    expect(combinedScore(1, 1)).to.equal(1);
    expect(combinedScore(0.5, 1)).to.equal(0.6);
    expect(combinedScore(0.9, 0)).to.equal(0.72);
    // A clearly better capability match outranks a weaker one whose agent names every word.
    expect(combinedScore(0.9, 0)).to.be.greaterThan(combinedScore(0.6, 1));
  });
});
