package dev.portcullis.auth.conformance;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The cases the JDK's HTTP server fails whatever the adapter: it is a reference for adapters, not a container to run a
 * registry on, and its parser is lax where these cases test the container's (they run on Jetty, Tomcat and Netty).
 */
final class JdkHttpServerLimits implements ExecutionCondition {
    private static final Map<String, String> DISABLED = Map.of(
            "bareCrNulAndBareLfNeverAuthenticateAnyone",
            "the JDK's server reads a bare CR as the end of a header line, so a header hidden after one is read as a header",
            "aDeniedClientThatExpectsContinueIsAnsweredWithoutBeingAskedForItsBody",
            "the JDK's server answers Expect: 100-continue itself, before any handler runs",
            "oversizeHeadsAreRefusedBeforeThePipeline", "the JDK's server has no limit on the size of a request head");

    JdkHttpServerLimits() {
        for (String name : DISABLED.keySet()) {
            if (!declaredInSuite(name)) {
                throw new IllegalStateException("the conformance suite has no case " + name + " to disable");
            }
        }
    }

    private static boolean declaredInSuite(String name) {
        for (Class<?> c = HttpConformanceSuite.class; c != null; c = c.getSuperclass()) {
            if (Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(name::equals)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getTestMethod().map(m -> DISABLED.get(m.getName())).map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("the JDK's server can show it"));
    }
}
