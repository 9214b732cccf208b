package dev.portcullis.auth.conformance;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The application behind the adapter in the conformance suite, framework-neutral: an adapter's test serves what this
 * answers for each request Portcullis let through. It echoes who was let through ({@code user=NAME mountsDenied=A,B}),
 * answers {@code GET /v2/_catalog} with the suite's catalog filtered for the caller, and commits {@code PUT}s to the
 * suite's {@link Tags} under their write conditions (answering a condition's refusal when one no longer holds).
 *
 * <pre>{@code
 * EchoApplication.Answer a = application.answer(method, path, identity, userName, deniedMounts, writeConditions, body);
 * // write a.status(), a.contentType(), a.body() — or, when a.refusal() is present, that response of Portcullis's
 * }</pre>
 */
public final class EchoApplication {
    private final Portcullis portcullis;
    private final Tags tags;

    /**
     * An application answering for the suite.
     *
     * @param portcullis the pipeline in front of it, which filters the catalog
     * @param tags the suite's tags, from {@code tags()}, which writes are committed to
     */
    public EchoApplication(Portcullis portcullis, Tags tags) {
        this.portcullis = portcullis;
        this.tags = tags;
    }

    /**
     * What to answer: a status, a content type and a body; or, for a write whose condition no longer held, Portcullis's
     * own refusal to write instead.
     *
     * @param status the HTTP status
     * @param contentType the {@code Content-Type}
     * @param body the response body
     * @param refusal the refusal to write instead of the rest, when a write condition no longer held
     */
    public record Answer(int status, String contentType, byte[] body, Optional<Outcome.Respond> refusal) {
    }

    /**
     * Answers one request Portcullis let through: the suite's catalog, a committed write, or an echo of the caller.
     *
     * @param method the request method
     * @param path the request path without the query, e.g. {@code /v2/team/app/manifests/latest}, as the adapter's
     *     framework gives it
     * @param identity the identity Portcullis let through, null for anonymous
     * @param user the caller's name as the application reads it from its framework (a servlet's {@code getRemoteUser()}),
     *     null for anonymous
     * @param deniedMounts the mount sources the caller may not read
     * @param writeConditions what a write was allowed under
     * @param body the whole request body
     * @return the answer to write: 201 for {@code PUT} and {@code POST}, 202 for {@code PATCH} and {@code DELETE}, else
     *     200; a refused write's status and body instead
     */
    public Answer answer(String method, String path, Identity identity, String user, Set<String> deniedMounts,
                         List<Outcome.WriteCondition> writeConditions, byte[] body) {
        if (method.equals("PUT")) {
            Optional<Outcome.Respond> refusal = tags.push(path, writeConditions, new String(body, StandardCharsets.UTF_8));
            if (refusal.isPresent()) {
                return new Answer(refusal.get().status(), refusal.get().contentType(), refusal.get().body(), refusal);
            }
        }
        int status = switch (method) {
            case "PUT", "POST" -> 201;
            case "PATCH", "DELETE" -> 202;
            default -> 200;
        };
        if (path.equals("/v2/_catalog")) {
            String list = String.join(",", portcullis.filterCatalog(identity, HttpConformanceSuite.CATALOG).stream().map(r -> "\"" + r + "\"").toList());
            return new Answer(status, "application/json", ("{\"repositories\":[" + list + "]}").getBytes(StandardCharsets.UTF_8), Optional.empty());
        }
        String echo = "user=" + (user == null ? "anonymous" : user) + " mountsDenied=" + String.join(",", new TreeSet<>(deniedMounts));
        return new Answer(status, "text/plain", echo.getBytes(StandardCharsets.UTF_8), Optional.empty());
    }
}
