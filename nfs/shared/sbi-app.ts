/**
 * The app factory every NF uses: express 5, requests AND responses validated against the NF's
 * own OpenAPI files, problem+json for every failure, a correlation id per request, JSON logs,
 * GET /healthz, and optional OAuth 2.0 protection of the SBI.
 */
import express, { type Express, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { isAbsolute, join } from 'node:path';
import { correlationHeader, currentCorrelationId, withCorrelationId } from './correlation.ts';
import { errorHandler, notFoundHandler, toProblemDetails } from './error-handler.ts';
import { requireAccessToken, type AccessTokenVerifier } from './access-token-guard.ts';
import { askedMethod, documentedPaths, limitBodyDepth, readBodyLength, rejectBracketedQueryNames, rejectUndocumentedMethods, requireContentTypeForBody, requireDocumentedBody } from './request-guards.ts';
import type { Logger } from './logger.ts';
import type { ProblemDetails } from './problem.ts';
import { openapiDir } from './openapi-dir.ts';

export interface SbiAppOptions {
  nf: string;
  logger: Logger;
  /** OpenAPI files that this NF serves: names in openapi/ (e.g. 'nnrf-nfm.yaml') or absolute paths. */
  specs: string[];
  /** Mounts the NF's routes; routes stay thin (STYLE.md). */
  routes: (router: Router) => void;
  /** When set, these services demand a bearer token from the NRF. */
  oauth?: { verify: AccessTokenVerifier; protectedServices: string[]; protectedWrites?: string[] };
  /**
   * Hears of each request refused (4xx) before it reached the NF's routes: by a guard, the body
   * parser or the OpenAPI validator. Refusals the routes make are the routes' own to record, and
   * a path no route serves (404) reached them.
   */
  onRefusedBeforeRoutes?: (request: { method: string; path: string }, problem: ProblemDetails) => unknown;
  /** Response validation catches our own bugs; on by default. */
  validateResponses?: boolean;
  /** Largest accepted body. */
  bodyLimit?: string;
  /**
   * False while the NF listens but cannot serve yet (an NF with agents before they have registered
   * at the AGW): GET /healthz then answers 503 STARTING, so health-checked start orders
   * (`dmsc up --processes`, compose `service_healthy`) wait for it.
   */
  isReady?: () => boolean;
}

export function createSbiApp(options: SbiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // 3GPP resource URIs are case-sensitive (TS 29.501 clause 4.4.1); so is every check on them.
  app.set('case sensitive routing', true);

  app.use((req, res, next) => {
    withCorrelationId(req.get(correlationHeader), () => {
      res.set(correlationHeader, currentCorrelationId());
      next();
    });
  });
  app.use(requestLogger(options.logger));
  app.get('/healthz', (_req, res) => {
    const ready = options.isReady?.() ?? true;
    res.status(ready ? 200 : 503).json({ status: ready ? 'UP' : 'STARTING', nf: options.nf });
  });

  const specFiles = options.specs.map((spec) => (isAbsolute(spec) ? spec : join(openapiDir, spec)));
  // HEAD is GET without the content (RFC 9110 section 9.3.2): checked, validated and routed as
  // GET; node's response to a HEAD request leaves the content out whatever is written.
  app.use((req, res, next) => {
    if (req.method === 'HEAD') {
      req.method = 'GET';
      res.locals.askedMethod = 'HEAD';
    }
    next();
  });
  app.use(rejectUndocumentedMethods(documentedPaths(specFiles)));
  app.use(rejectBracketedQueryNames());
  app.use(requireContentTypeForBody());
  // strict: false, so that a body of null, a string or a number is valid JSON the validator refuses
  // as not an object, as the fast paths say, rather than "not valid JSON".
  app.use(express.json({ type: ['application/json', 'application/*+json'], limit: options.bodyLimit ?? '1mb', strict: false, verify: readBodyLength }));
  app.use(express.urlencoded({ extended: false, limit: '64kb', verify: readBodyLength }));
  app.use(limitBodyDepth());
  if (options.oauth) app.use(requireAccessToken(options.oauth));

  for (const apiSpec of specFiles) {
    app.use(
      OpenApiValidator.middleware({
        apiSpec,
        validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false },
        validateResponses: options.validateResponses === false ? false : { removeAdditional: false },
        validateFormats: true,
        // ajv-formats' full mode, as the fast paths' checks use (schema-validator.ts): the
        // validator's default, fast mode, passes URIs such as http://h/a{x} that full mode refuses.
        ajvFormats: { mode: 'full' },
        $refParser: { mode: 'dereference' },
        ignoreUndocumented: true,
        // The specs' security requirements document what the NF's own checks demand (OAuth:
        // access-token-guard.ts; agents' tokens and registration tokens: their operations), which
        // answer with ProblemDetails and an RFC 6750 challenge; the validator's would not.
        validateSecurity: false,
      }),
    );
  }

  app.use(requireDocumentedBody());

  const router = express.Router({ caseSensitive: true });
  router.use((_req, res, next) => {
    res.locals.routed = true;
    next();
  });
  options.routes(router);
  app.use(router);
  app.use(notFoundHandler());
  if (options.onRefusedBeforeRoutes) {
    const observe = options.onRefusedBeforeRoutes;
    app.use(((error, req, res, next) => {
      const problem = toProblemDetails(error, req.originalUrl);
      const status = problem.status ?? 500;
      if (status >= 400 && status < 500 && !res.locals.routed) observe({ method: askedMethod(req, res), path: req.path }, problem);
      next(error);
    }) as express.ErrorRequestHandler);
  }
  app.use(errorHandler(options.logger));
  return app;
}

function requestLogger(logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const method = req.method; // as asked: a HEAD is served as GET
    res.on('finish', () => {
      if (!logger.isDebugEnabled()) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug('request', { method, path: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 100) / 100 });
    });
    next();
  };
}
