import { expect } from 'chai';
import { toProblemDetails } from '../../nfs/shared/error-handler.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';

/** What body-parser throws for a body that is not JSON (an http-errors error with a type). */
function bodyParserError(type: string, status: number, message: string): Error {
  return Object.assign(new SyntaxError(message), { status, statusCode: status, expose: true, type, body: '{"nfType":' });
}

describe('toProblemDetails', () => {
  describe('a ProblemError', () => {
    it('passes status, detail, cause and invalidParams through, with the instance', () => {
      const invalidParams = [{ param: '/nfInstanceId', reason: 'must equal the URI nfInstanceID' }];
      const problem = toProblemDetails(
        new ProblemError(400, 'nfInstanceId in the body differs from the one in the URI', { cause: 'MANDATORY_IE_INCORRECT', invalidParams }),
        '/nnrf-nfm/v1/nf-instances/x',
      );
      expect(problem).to.deep.equal({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'nfInstanceId in the body differs from the one in the URI',
        instance: '/nnrf-nfm/v1/nf-instances/x',
        cause: 'MANDATORY_IE_INCORRECT',
        invalidParams,
      });
    });

    it('keeps a 404 a 404 with its own cause and no invalidParams', () => {
      const problem = toProblemDetails(new ProblemError(404, 'NF instance abc is not registered', { cause: 'RESOURCE_NOT_FOUND' }));
      expect(problem.status).to.equal(404);
      expect(problem.title).to.equal('Not Found');
      expect(problem.cause).to.equal('RESOURCE_NOT_FOUND');
      expect(problem.detail).to.equal('NF instance abc is not registered');
      expect(problem).to.not.have.property('invalidParams');
    });

    it('keeps a 5xx ProblemError, which the service raised on purpose, as it is', () => {
      const problem = toProblemDetails(new ProblemError(503, 'the NRF is overloaded', { cause: 'NF_CONGESTION' }));
      expect(problem).to.include({ status: 503, detail: 'the NRF is overloaded', cause: 'NF_CONGESTION' });
    });
  });

  describe('an express-openapi-validator error', () => {
    const validatorError = {
      status: 400,
      message: 'request/query/limit must be integer',
      errors: [
        { path: '/query/limit', message: 'must be integer' },
        { path: '/body/nfType', message: "must have required property 'nfType'" },
        { path: '/params/nfInstanceID', message: 'must match format "uuid"' },
        { path: '/headers/content-type', message: 'unsupported media type text/plain' },
      ],
    };

    it('names each offending parameter by the TS 29.571 clause 5.2.4.2 conventions', () => {
      const problem = toProblemDetails(validatorError);
      expect(problem.invalidParams).to.deep.equal([
        { param: 'query limit', reason: 'must be integer' },
        { param: '/nfType', reason: "must have required property 'nfType'" },
        { param: '{nfInstanceID}', reason: 'must match format "uuid"' },
        { param: 'header content-type', reason: 'unsupported media type text/plain' },
      ]);
    });

    it('answers 400 MANDATORY_IE_MISSING when every error is an absent mandatory IE (TS 29.500 table 5.2.7.2-1)', () => {
      const missing = Object.assign(new Error('request/body must have required property'), {
        status: 400,
        errors: [
          { path: '/body/csrPem', message: "must have required property 'csrPem'" },
          { path: '/body/nonce', message: "must have required property 'nonce'" },
        ],
      });
      expect(toProblemDetails(missing, '/nagw-reg/v1/registrations').cause).to.equal('MANDATORY_IE_MISSING');
      expect(toProblemDetails(validatorError, '/x').cause, 'an absent IE among other faults').to.equal('MANDATORY_IE_INCORRECT');
    });

    it('answers 400 MANDATORY_IE_INCORRECT with a detail listing every parameter and reason', () => {
      const problem = toProblemDetails(validatorError, '/nnrf-disc/v1/nf-instances?limit=x');
      expect(problem).to.include({ type: 'about:blank', title: 'Bad Request', status: 400, cause: 'MANDATORY_IE_INCORRECT', instance: '/nnrf-disc/v1/nf-instances?limit=x' });
      expect(problem.detail).to.equal(
        "query limit: must be integer; /nfType: must have required property 'nfType'; {nfInstanceID}: must match format \"uuid\"; header content-type: unsupported media type text/plain",
      );
    });

    it('keeps nested body paths as a JSON pointer', () => {
      const problem = toProblemDetails({ status: 400, errors: [{ path: '/body/amfInfo/guamiList/0/amfId', message: 'must match pattern' }] });
      expect(problem.invalidParams).to.deep.equal([{ param: '/amfInfo/guamiList/0/amfId', reason: 'must match pattern' }]);
    });

    it('reads the dotted path form (.query.limit) like the slashed one', () => {
      const problem = toProblemDetails({ status: 400, errors: [{ path: '.query.limit', message: 'must be >= 1' }] });
      expect(problem.invalidParams).to.deep.equal([{ param: 'query limit', reason: 'must be >= 1' }]);
    });

    it('answers 415 UNSUPPORTED_MEDIA_TYPE for an unsupported content type', () => {
      const problem = toProblemDetails({ status: 415, message: 'unsupported media type text/plain', errors: [] });
      expect(problem).to.include({ status: 415, title: 'Unsupported Media Type', cause: 'UNSUPPORTED_MEDIA_TYPE', detail: 'unsupported media type text/plain' });
      expect(problem).to.not.have.property('invalidParams');
    });

    it('answers 405 METHOD_NOT_ALLOWED for a method the spec does not have', () => {
      const problem = toProblemDetails({ status: 405, message: 'PUT method not allowed', errors: [{ path: '/nf-instances', message: 'PUT method not allowed' }] });
      expect(problem).to.include({ status: 405, title: 'Method Not Allowed', cause: 'METHOD_NOT_ALLOWED' });
    });
  });

  describe('a body-parser error', () => {
    it('maps entity.parse.failed to 400 INVALID_MSG_FORMAT without the parser message', () => {
      const problem = toProblemDetails(bodyParserError('entity.parse.failed', 400, 'Unexpected end of JSON input'), '/nnrf-nfm/v1/subscriptions');
      expect(problem).to.include({
        status: 400,
        title: 'Bad Request',
        cause: 'INVALID_MSG_FORMAT',
        detail: 'the request body is not valid JSON',
        instance: '/nnrf-nfm/v1/subscriptions',
      });
      expect(problem).to.not.have.property('invalidParams');
    });

    it('maps entity.too.large to 413 PAYLOAD_TOO_LARGE', () => {
      const problem = toProblemDetails(bodyParserError('entity.too.large', 413, 'request entity too large'));
      expect(problem).to.include({ status: 413, title: 'Payload Too Large', cause: 'PAYLOAD_TOO_LARGE', detail: 'the request body is too large' });
    });

    it('reads the status from statusCode when status is absent', () => {
      expect(toProblemDetails({ statusCode: 404, message: 'nothing here' })).to.include({ status: 404, cause: 'RESOURCE_URI_STRUCTURE_NOT_FOUND', detail: 'nothing here' });
    });
  });

  describe('an unknown error', () => {
    it('becomes 500 SYSTEM_FAILURE whose detail does not leak the message', () => {
      const secret = 'connect ECONNREFUSED mongodb://admin:hunter2@10.0.0.9:27017';
      const problem = toProblemDetails(new Error(secret), '/nnrf-nfm/v1/nf-instances');
      expect(problem).to.include({ type: 'about:blank', title: 'Internal Server Error', status: 500, cause: 'SYSTEM_FAILURE', instance: '/nnrf-nfm/v1/nf-instances' });
      expect(problem.detail).to.be.a('string').that.is.not.empty;
      expect(JSON.stringify(problem)).to.not.contain('hunter2').and.not.contain('ECONNREFUSED');
      expect(problem).to.not.have.property('invalidParams');
    });

    it('becomes 500 for a TypeError from a bug in our own code', () => {
      const problem = toProblemDetails(new TypeError("Cannot read properties of null (reading 'nfInstanceId')"));
      expect(problem.status).to.equal(500);
      expect(problem.detail).to.not.contain('nfInstanceId');
    });

    it('becomes 500 for an error carrying a 5xx status, which is no client error', () => {
      const problem = toProblemDetails(Object.assign(new Error('upstream timed out at 10.0.0.3'), { status: 504 }));
      expect(problem.status).to.equal(500);
      expect(problem.detail).to.not.contain('10.0.0.3');
    });

    for (const thrown of [null, undefined, 'a string', 42]) {
      it(`becomes 500 when ${JSON.stringify(thrown) ?? 'undefined'} is thrown`, () => {
        const problem = toProblemDetails(thrown);
        expect(problem).to.include({ status: 500, cause: 'SYSTEM_FAILURE' });
      });
    }
  });
});
