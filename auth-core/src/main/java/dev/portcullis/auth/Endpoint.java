package dev.portcullis.auth;

import dev.portcullis.auth.routes.RequestTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request Portcullis answers itself instead of passing it on: the API-key endpoints, OIDC login and its callback,
 * logout, the self-service page. The pipeline asks its endpoints in order, after refusing malformed requests and
 * before routing; the first that {@linkplain #handles handles} the path answers. Endpoints may block (a store, a
 * provider), so an event-loop server runs them where blocking is allowed.
 *
 * <pre>{@code
 * final class WhoAmI implements Endpoint {
 *     public boolean handles(String path) { return path.equals("/auth/whoami"); }
 *     public boolean authenticates() { return true; }
 *     public Outcome.Respond handle(Call call) {
 *         call.audit("who am I");
 *         return call.identity() == null ? call.unauthorized("who am I needs credentials")
 *                 : call.json(200, Map.of("user", call.identity().name()));
 *     }
 * }
 * }</pre>
 *
 * Implementations are thread-safe; one instance serves every request.
 */
public interface Endpoint {
    /** Whether this endpoint answers the request at {@code path} (decoded; the pipeline refused ambiguous paths). */
    boolean handles(String path);

    /** Whether it reads the request body ({@link Call#body()}): an adapter that streams bodies collects it first. */
    default boolean readsBody() {
        return false;
    }

    /**
     * Whether the pipeline authenticates the caller first, as for any other request ({@link Call#identity()}); bad
     * credentials are then answered by the pipeline (401, 429, 503) before the endpoint is asked.
     */
    default boolean authenticates() {
        return false;
    }

    /** Answers the request; may block. Never throws for anything the client sent. */
    Outcome.Respond handle(Call call);

    /** One request to an endpoint, and the pipeline's ways to answer it. */
    final class Call {
        private final RequestContext ctx;
        private final Refusals refusals;
        private final int bodyLimit;
        private byte @Nullable [] body;
        private @Nullable String audit;
        private boolean audited;

        Call(RequestContext ctx, Refusals refusals, int bodyLimit) {
            this.ctx = ctx;
            this.refusals = refusals;
            this.bodyLimit = bodyLimit;
        }

        /** The request as the adapter sees it. */
        public HttpRequestView request() {
            return ctx.request();
        }

        /** Method, decoded path and query. */
        public RequestTarget target() {
            return ctx.target();
        }

        /** The authenticated caller, when the endpoint {@linkplain Endpoint#authenticates authenticates}; null for anonymous. */
        public @Nullable Identity identity() {
            return ctx.identity;
        }

        /** What the request presents (credentials, cookies, the client's address). */
        public Presented presented() {
            return ctx;
        }

        /** The largest body the pipeline reads for an endpoint: 8 KiB. */
        public int bodyLimit() {
            return bodyLimit;
        }

        /**
         * The request body, read once: at most {@link #bodyLimit()} + 1 bytes, so that a longer one shows as longer than
         * the limit (answer 413 then).
         */
        public byte[] body() throws IOException {
            byte[] b = body;
            if (b == null) {
                b = body = ctx.request().body(bodyLimit);
            }
            return b;
        }

        /** What the audit log says of this request (default: the endpoint's class and the method). */
        public void audit(String reason) {
            this.audit = reason;
        }

        /** 401 with the challenge, as the pipeline answers a request that needs credentials; audited. */
        public Outcome.Respond unauthorized(String why) {
            audited = true;
            return refusals.unauthorized(ctx, why, false);
        }

        /** An error in the pipeline's shape (the OCI error body under {@code /v2/}, a small JSON object elsewhere); audited. */
        public Outcome.Respond refuse(int status, String code, String message) {
            audited = true;
            return refusals.reject(ctx, null, status, code, message);
        }

        /** A JSON answer, not cached by anyone ({@code Cache-Control: no-store}). */
        public Outcome.Respond json(int status, Object body) {
            return Responses.json(status, body, Map.of(), Duration.ZERO);
        }

        boolean audited() {
            return audited;
        }

        @Nullable String auditReason() {
            return audit;
        }
    }
}
