package dev.portcullis.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives every access decision. The default logs one structured line per decision through
 * SLF4J logger {@code dev.portcullis.audit}: denials at INFO, allowed requests at DEBUG.
 *
 * <pre>{@code
 * Portcullis.builder()...listener(event -> metrics.count(event.status())).build();
 * }</pre>
 */
@FunctionalInterface
public interface AuthEventListener {
    void onDecision(AuthEvent event);

    /** The SLF4J audit log. */
    static AuthEventListener slf4j() {
        Logger log = LoggerFactory.getLogger("dev.portcullis.audit");
        return e -> {
            if (e.allowed() ? log.isDebugEnabled() : log.isInfoEnabled()) {
                String line = "decision=" + (e.allowed() ? "allow" : "deny") + " status=" + e.status()
                        + " user=" + (e.user() == null ? "anonymous" : quote(e.user())) + " auth=" + (e.authMethod() == null ? "-" : e.authMethod())
                        + " method=" + e.method() + " path=" + quote(e.path()) + " repository=" + (e.repository() == null ? "-" : quote(e.repository()))
                        + " action=" + (e.action() == null ? "-" : e.action().configName()) + " pattern=" + (e.pattern() == null ? "-" : quote(e.pattern()))
                        + " client=" + e.clientAddress() + " reason=" + quote(e.reason());
                if (e.allowed()) {
                    log.debug(line);
                } else {
                    log.info(line);
                }
            }
        };
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
