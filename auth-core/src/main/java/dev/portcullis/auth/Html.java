package dev.portcullis.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markup that may go into a page as it is: made only by a {@link Template}, which escapes every text it is given, or
 * from a resource of this library's. A missed escape is impossible rather than unlikely: text becomes markup only
 * through {@link #text}.
 */
final class Html {
    static final Html EMPTY = new Html("");

    private final String markup;

    private Html(String markup) {
        this.markup = markup;
    }

    /** Text, escaped for element content and quoted attribute values. */
    static Html text(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return new Html(out.toString());
    }

    /** One after the other. */
    static Html join(List<Html> parts) {
        StringBuilder out = new StringBuilder();
        parts.forEach(p -> out.append(p.markup));
        return new Html(out.toString());
    }

    /** One after the other, with {@code separator} between. */
    static Html join(List<Html> parts, Html separator) {
        List<Html> all = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                all.add(separator);
            }
            all.add(parts.get(i));
        }
        return join(all);
    }

    /** The text of a resource of this library's (a style sheet, a script): trusted as it is. */
    static String resource(String name) {
        try (InputStream in = Html.class.getResourceAsStream("page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the resource page/" + name + " is missing from the Portcullis jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Markup of a resource of this library's, as it is. */
    static Html trusted(String resourceText) {
        return new Html(resourceText);
    }

    @Override
    public String toString() {
        return markup;
    }

    /**
     * A template from {@code page/NAME.html}: markup with {@code {{name}}} placeholders. {@link #render} fills each with
     * escaped text, or with markup another template made; it refuses a placeholder left unfilled and a value no
     * placeholder asks for.
     */
    static final class Template {
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z]+)}}");
        private final String name;
        private final List<String> literals = new ArrayList<>(); // one more than names
        private final List<String> names = new ArrayList<>();

        private Template(String name, String text) {
            this.name = name;
            Matcher m = PLACEHOLDER.matcher(text);
            int at = 0;
            while (m.find()) {
                literals.add(text.substring(at, m.start()));
                names.add(m.group(1));
                at = m.end();
            }
            literals.add(text.substring(at));
        }

        static Template load(String name) {
            String text = resource(name + ".html");
            // the files end with a newline for editors; the markup does not need it
            return new Template(name, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        }

        /** Renders with {@code values}: name, value, name, value…, each value a {@link String} (escaped) or {@link Html}. */
        Html render(Object... values) {
            Map<String, Html> filled = new HashMap<>();
            for (int i = 0; i + 1 < values.length; i += 2) {
                Object v = values[i + 1];
                filled.put((String) values[i], v instanceof Html h ? h : text(String.valueOf(v)));
            }
            Set<String> unused = new HashSet<>(filled.keySet());
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                Html value = filled.get(names.get(i));
                if (value == null) {
                    throw new IllegalStateException("template " + name + ": no value for {{" + names.get(i) + "}}");
                }
                unused.remove(names.get(i));
                out.append(literals.get(i)).append(value.markup);
            }
            if (!unused.isEmpty()) {
                throw new IllegalStateException("template " + name + " has no placeholder for " + unused);
            }
            return new Html(out.append(literals.get(names.size())).toString());
        }
    }
}
