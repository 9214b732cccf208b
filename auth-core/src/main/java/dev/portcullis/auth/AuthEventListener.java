package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Receives every access decision. The default, {@link #slf4j()}, writes the audit log: one JSON object per decision
 * through the SLF4J logger {@code dev.portcullis.audit}. A listener given to {@code Portcullis.Builder#listener} takes
 * its place.
 *
 * <pre>{@code
 * Portcullis.builder()...listener(event -> metrics.count(event.kind())).build();
 * }</pre>
 */
@FunctionalInterface
public interface AuthEventListener {
    /**
     * Called once per decision, on the thread that decided; must not block and should not throw (what it throws is
     * logged and ignored).
     *
     * @param event the decision
     */
    void onDecision(AuthEvent event);

    /**
     * The audit log: one JSON line per decision through the SLF4J logger {@code dev.portcullis.audit}, with the
     * fields {@code time} (ISO-8601, when the line is written), {@code outcome} ({@link AuthEvent.Kind#label()}),
     * {@code status}, {@code user}, {@code auth}, {@code keyId}, {@code method}, {@code path}, {@code repository},
     * {@code action}, {@code grantedBy}, {@code pattern}, {@code client} and {@code reason} (a field without a value
     * is {@code null}). Allowed requests and the challenges sent to callers without credentials at DEBUG; refused
     * credentials, policy denials and throttling at INFO (a flood past the failure limit is one line per request,
     * so not a warning); errors at WARN. Never a credential.
     *
     * @return the listener a builder uses unless told otherwise
     */
    static AuthEventListener slf4j() {
        Logger log = LoggerFactory.getLogger("dev.portcullis.audit");
        return e -> {
            Level level = level(e.kind());
            if (log.isEnabledForLevel(level)) {
                log.atLevel(level).log(json(e));
            }
        };
    }

    /**
     * The level {@link #slf4j()} logs a decision of this kind at: DEBUG for what is routine (allowed, and the challenge
     * to a caller without credentials), INFO for refusals, WARN for errors.
     *
     * @param kind the decision's kind
     * @return its level
     */
    static Level level(AuthEvent.Kind kind) {
        return switch (kind) {
            case ALLOWED, CHALLENGED -> Level.DEBUG;
            case FAILED, DENIED, REJECTED, THROTTLED -> Level.INFO;
            case ERROR -> Level.WARN;
        };
    }

    /**
     * One decision as the audit log's JSON object.
     *
     * @param e the decision
     * @return one line of JSON, without a line break
     */
    static String json(AuthEvent e) {
        ObjectNode o = ConfigReader.JSON.createObjectNode();
        o.put("time", Instant.now().toString());
        o.put("outcome", e.kind().label());
        o.put("status", e.status());
        o.put("user", e.user());
        o.put("auth", e.authMethod() == null ? null : e.authMethod().name());
        o.put("keyId", e.keyId());
        o.put("method", e.method());
        o.put("path", e.path());
        o.put("repository", e.repository());
        o.put("action", e.action() == null ? null : e.action().configName());
        o.put("grantedBy", e.grantedBy() == null ? null : e.grantedBy().name().toLowerCase(java.util.Locale.ROOT));
        o.put("pattern", e.pattern());
        o.put("client", e.clientAddress());
        o.put("reason", e.reason());
        try {
            return ConfigReader.JSON.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("a tree of strings and numbers always writes", ex);
        }
    }
}
