package dev.portcullis.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link PortcullisConfigException} into Spring Boot's "APPLICATION FAILED TO START" report: what is wrong with
 * {@code portcullis.config}, and what to do. Registered in {@code META-INF/spring.factories}.
 */
final class PortcullisConfigFailureAnalyzer extends AbstractFailureAnalyzer<PortcullisConfigException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PortcullisConfigException cause) {
        return new FailureAnalysis("Portcullis could not be set up from " + ConfigLocation.PROPERTY + "=" + cause.location() + ": "
                + cause.problem(),
                "Point " + ConfigLocation.PROPERTY + " at a readable zot config.json (a file path, a file: URL or a classpath:"
                        + " location) and fix what the description names.",
                cause);
    }
}
