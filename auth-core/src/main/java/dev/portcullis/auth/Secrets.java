package dev.portcullis.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Values that may be secrets, given as {@code env:VAR} or {@code file:PATH} so that they stay out of files and command lines. */
public final class Secrets {
    private Secrets() {
    }

    /**
     * The value of {@code env:VAR} or {@code file:PATH} (relative to {@code base}), stripped; any other value as it is.
     *
     * <pre>{@code
     * String url = Secrets.resolve("env:KEY_STORE_URL", "portcullis.keyStore", Path.of("/etc/registry"));
     * }</pre>
     *
     * @param value the configured value: {@code env:VAR}, {@code file:PATH}, or the secret itself
     * @param what names the value in errors, e.g. {@code portcullis.keyStore} or {@code --store}
     * @param base the directory a relative {@code file:} path is resolved against, such as the configuration file's;
     *     {@code Path.of("")} for the working directory
     * @return the variable's value or the file's content (UTF-8), with leading and trailing white space removed; any
     *     other value unchanged
     * @throws IllegalArgumentException naming {@code what} when the variable is unset or blank, or the file cannot be
     *     read
     */
    public static String resolve(String value, String what, Path base) {
        if (value.startsWith("env:")) {
            String v = System.getenv(value.substring(4));
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(what + ": environment variable " + value.substring(4) + " is not set");
            }
            return v.strip();
        }
        if (value.startsWith("file:")) {
            try {
                return Files.readString(base.resolve(value.substring(5)), StandardCharsets.UTF_8).strip();
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException(what + ": cannot read " + value.substring(5) + ": " + e.getMessage());
            }
        }
        return value;
    }
}
