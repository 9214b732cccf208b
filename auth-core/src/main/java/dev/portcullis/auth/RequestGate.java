package dev.portcullis.auth;

import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.routes.RequestTarget;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What is refused before anything else looks at a request: several {@code Host} headers, an ambiguous path, a
 * fragment, a query that does not decode. Decides on the request as the application will see it, never on a
 * normalised guess of it.
 */
final class RequestGate {
    private final Refusals refusals;

    RequestGate(Refusals refusals) {
        this.refusals = refusals;
    }

    /** Sets the checked path and target on {@code ctx} and answers null, or answers the refusal (400). */
    Outcome.@Nullable Respond check(RequestContext ctx) {
        HttpRequestView request = ctx.request();
        if (request.headers("Host").size() > 1) {
            // RFC 9112 section 3.2: a server must answer 400; Jetty and Tomcat do, Netty's codec passes both on, and the
            // application behind and Portcullis could each believe a different one
            return refusals.reject(ctx, null, 400, "UNSUPPORTED", "more than one Host header");
        }
        RequestPaths.Checked checked = RequestPaths.check(request.rawPath());
        if (!checked.ok()) {
            return refusals.reject(ctx, null, 400, "NAME_INVALID", "ambiguous path: " + checked.problem());
        }
        String path = Objects.requireNonNull(checked.path(), "a checked path");
        ctx.path = path;
        String rawQuery = request.rawQuery();
        if (rawQuery != null && rawQuery.indexOf('#') >= 0) {
            return refusals.reject(ctx, null, 400, "UNSUPPORTED", RequestPaths.FRAGMENT);
        }
        Optional<Map<String, List<String>>> query = RequestPaths.query(rawQuery);
        if (query.isEmpty()) {
            return refusals.reject(ctx, null, 400, "UNSUPPORTED", "invalid percent-encoding in the query");
        }
        ctx.target = new RequestTarget(request.method(), path, query.get());
        return null;
    }
}
