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
    /**
     * Whether this endpoint answers the request at {@code path} (decoded; the pipeline refused ambiguous paths). Asked
     * for every request that reaches the endpoints, so it must be cheap and must not block.
     *
     * @param path the decoded path, without the query, such as {@code /auth/whoami}
     * @return true to answer the request here; false to leave it to the next endpoint, then to the routes
     */
    boolean handles(String path);

    /**
     * Whether it reads the request body ({@link Call#body()}): an adapter that streams bodies collects it first.
     *
     * @return true if {@link #handle} reads {@link Call#body()}; false by default
     */
    default boolean readsBody() {
        return false;
    }

    /**
     * Whether the pipeline authenticates the caller first, as for any other request ({@link Call#identity()}); bad
     * credentials are then answered by the pipeline (401, 429, 503) before the endpoint is asked.
     *
     * @return true to have {@link Call#identity()} set; false by default, and then {@link Call#identity()} is always
     *     null
     */
    default boolean authenticates() {
        return false;
    }

    /**
     * Answers the request; may block. Never throws for anything the client sent.
     *
     * @param call the request, with the caller when {@link #authenticates()}, and the ways to answer it
     * @return the response the adapter writes; the pipeline never passes an endpoint's request on to the application
     */
    Outcome.Respond handle(Call call);

    /** One request to an endpoint, and the pipeline's ways to answer it. */
    final class Call {
        private final RequestContext ctx;
        private final Refusals refusals;
        private final int bodyLimit;
        private byte @Nullable [] body;
        private @Nullable String audit;
        private boolean audited;
        private final AuthenticationStage authentication;

        Call(RequestContext ctx, Refusals refusals, int bodyLimit, AuthenticationStage authentication) {
            this.ctx = ctx;
            this.refusals = refusals;
            this.bodyLimit = bodyLimit;
            this.authentication = authentication;
        }

        /**
         * The policy this request is decided by (a reload takes effect for the requests after it).
         *
         * @return the policy
         */
        dev.portcullis.policy.AccessPolicy policy() {
            return ctx.policy;
        }

        /**
         * Authenticates a user and password given otherwise than in the request's {@code Authorization} header (an
         * OAuth2 password grant's form) exactly as the pipeline authenticates Basic credentials: the same
         * authenticators, failure limit, delay and audit. Null identity and null refusal: no authenticator knew
         * the user.
         */
        Outcome.@Nullable Respond authenticateBasic(String user, String password, Identity[] identity) {
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            RequestContext form = new RequestContext(new WithAuthorization(ctx.request(), basic), ctx.clientAddress(), null, true, ctx.policy);
            form.path = ctx.path;
            form.target = ctx.target;
            Outcome.Respond refused = authentication.authenticate(form);
            audited |= refused != null;
            identity[0] = form.identity;
            return refused;
        }

        /** A request with another {@code Authorization} header. */
        private record WithAuthorization(HttpRequestView request, String authorization) implements HttpRequestView {
            @Override
            public String method() {
                return request.method();
            }

            @Override
            public String rawPath() {
                return request.rawPath();
            }

            @Override
            public @Nullable String rawQuery() {
                return request.rawQuery();
            }

            @Override
            public java.util.List<String> headers(String name) {
                return name.equalsIgnoreCase("Authorization") ? java.util.List.of(authorization) : request.headers(name);
            }

            @Override
            public String remoteAddress() {
                return request.remoteAddress();
            }

            @Override
            public boolean secure() {
                return request.secure();
            }

            @Override
            public String mountPath() {
                return request.mountPath();
            }

            @Override
            public byte[] body(int limit) throws IOException {
                return request.body(limit);
            }
        }

        /**
         * The request as the adapter sees it.
         *
         * @return the adapter's view: raw path and query, headers, the socket's address
         */
        public HttpRequestView request() {
            return ctx.request();
        }

        /**
         * Method, decoded path and query.
         *
         * @return the target as the pipeline checked it; its path is the one {@link Endpoint#handles} was asked about
         */
        public RequestTarget target() {
            return ctx.target();
        }

        /**
         * The authenticated caller, when the endpoint {@linkplain Endpoint#authenticates authenticates}; null for
         * anonymous.
         *
         * @return the caller, or null for a request without credentials or to an endpoint that does not authenticate
         */
        public @Nullable Identity identity() {
            return ctx.identity;
        }

        /**
         * What the request presents (credentials, cookies, the client's address).
         *
         * @return the request's credentials, cookies and client address; its connection memory is the authenticators',
         *     so {@link Presented#remembered()} answers null here
         */
        public Presented presented() {
            return ctx;
        }

        /**
         * The largest body the pipeline reads for an endpoint: 8 KiB.
         *
         * @return the limit in bytes
         */
        public int bodyLimit() {
            return bodyLimit;
        }

        /**
         * The request body, read once: at most {@link #bodyLimit()} + 1 bytes, so that a longer one shows as longer than
         * the limit (answer 413 then).
         *
         * @return the body's bytes, empty for a request without one; the same array on every call
         * @throws IOException when the adapter cannot read the body (the client went away, say)
         */
        public byte[] body() throws IOException {
            byte[] b = body;
            if (b == null) {
                b = body = ctx.request().body(bodyLimit);
            }
            return b;
        }

        /**
         * What the audit log says of this request (default: the endpoint's class and the method). An answer from
         * {@link #unauthorized} or {@link #refuse} is audited with its own reason instead.
         *
         * @param reason the audit event's reason, such as {@code "logout of alice"}; never a credential
         */
        public void audit(String reason) {
            this.audit = reason;
        }

        /**
         * 401 with the challenge, as the pipeline answers a request that needs credentials; audited. Answered at once,
         * without the delay for failed credentials.
         *
         * @param why the reason for the audit log; the client sees only "authentication required"
         * @return the 401 response, with {@code WWW-Authenticate}
         */
        public Outcome.Respond unauthorized(String why) {
            audited = true;
            return refusals.unauthorized(ctx, why, false);
        }

        /**
         * An error in the pipeline's shape (the OCI error body under {@code /v2/}, a small JSON object elsewhere);
         * audited.
         *
         * @param status the HTTP status, such as 400 or 403
         * @param code the error code, such as {@code DENIED}: the OCI body's {@code code}, else its lower case in
         *     {@code error}
         * @param message what went wrong, for the client and the audit log
         * @return the error response, not cached ({@code Cache-Control: no-store})
         */
        public Outcome.Respond refuse(int status, String code, String message) {
            audited = true;
            return refusals.reject(ctx, null, status, code, message);
        }

        /**
         * A JSON answer, not cached by anyone ({@code Cache-Control: no-store}).
         *
         * @param status the HTTP status, such as 200
         * @param body what Jackson writes as the body: a map, a record, a list, a {@code JsonNode}
         * @return the response, as {@code application/json; charset=utf-8}
         * @throws IllegalStateException when Jackson cannot write {@code body}
         */
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
