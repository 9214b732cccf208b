package dev.portcullis.spring;

/**
 * {@code portcullis.config} does not lead to a working pipeline: the location is empty, the file is missing or
 * unreadable, its JSON is malformed, or what it configures cannot be set up. The message names the property, its value
 * and the problem; {@link PortcullisConfigFailureAnalyzer} reports it when the application fails to start.
 */
final class PortcullisConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String problem;

    PortcullisConfigException(String location, String problem) {
        super(ConfigLocation.PROPERTY + "=" + location + ": " + problem);
        this.location = location;
        this.problem = problem;
    }

    PortcullisConfigException(String location, String problem, Throwable cause) {
        super(ConfigLocation.PROPERTY + "=" + location + ": " + problem, cause);
        this.location = location;
        this.problem = problem;
    }

    /** The value of {@code portcullis.config}, as given. */
    String location() {
        return location;
    }

    /** What is wrong with it. */
    String problem() {
        return problem;
    }
}
