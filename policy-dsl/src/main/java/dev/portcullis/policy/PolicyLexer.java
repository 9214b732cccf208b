package dev.portcullis.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Splits policy-language text into tokens, keeping comments and line breaks for the formatter. */
final class PolicyLexer {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Type { WORD, STRING, COLON, COMMA, LBRACE, RBRACE, LBRACKET, RBRACKET, NEWLINE, COMMENT, EOF }

    /**
     * @param text the source text; for STRING the raw quoted form, {@link #value} holds the decoded string
     * @param line 1-based
     * @param column 1-based, in characters
     */
    record Token(Type type, String text, String value, int line, int column) {
        boolean is(String word) {
            return type == Type.WORD && text.equals(word);
        }

        boolean isName() {
            return type == Type.WORD || type == Type.STRING;
        }

        String describe() {
            return switch (type) {
                case NEWLINE -> "the end of the line";
                case EOF -> "the end of the file";
                case STRING -> "the string " + text;
                default -> "'" + text + "'";
            };
        }
    }

    private final String source;
    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int i;
    private int line = 1;
    private int lineStart;

    private PolicyLexer(String source, String text) {
        this.source = source;
        this.text = text;
    }

    static List<Token> tokenize(String source, String text) {
        PolicyLexer lexer = new PolicyLexer(source, text);
        lexer.run();
        return lexer.tokens;
    }

    /** {@code source:line:column: message}, then the line and a caret under the column. */
    static InvalidPolicyException error(String source, String text, int line, int column, String message) {
        String[] lines = text.split("\n", -1);
        String offending = line - 1 < lines.length ? lines[line - 1].replace("\t", " ").stripTrailing() : "";
        return new InvalidPolicyException(source + ":" + line + ":" + column + ": " + message + "\n    " + offending + "\n    "
                + " ".repeat(Math.max(0, column - 1)) + "^");
    }

    static boolean isWordChar(int c) {
        return !Character.isWhitespace(c) && ",:{}[]\"#".indexOf(c) < 0;
    }

    private void run() {
        while (i < text.length()) {
            char c = text.charAt(i);
            int column = i - lineStart + 1;
            switch (c) {
                case '\n' -> {
                    add(Type.NEWLINE, "\n", column);
                    i++;
                    line++;
                    lineStart = i;
                }
                case ' ', '\t', '\r', '\f' -> i++;
                case '#' -> {
                    int end = text.indexOf('\n', i);
                    end = end < 0 ? text.length() : end;
                    add(Type.COMMENT, text.substring(i, end).stripTrailing(), column);
                    i = end;
                }
                case ':' -> single(Type.COLON, column);
                case ',' -> single(Type.COMMA, column);
                case '{' -> single(Type.LBRACE, column);
                case '}' -> single(Type.RBRACE, column);
                case '[' -> single(Type.LBRACKET, column);
                case ']' -> single(Type.RBRACKET, column);
                case '"' -> string(column);
                default -> {
                    int start = i;
                    while (i < text.length() && isWordChar(text.codePointAt(i))) {
                        i += Character.charCount(text.codePointAt(i));
                    }
                    if (i == start) {
                        throw error(source, text, line, column, "unexpected character '" + c + "'");
                    }
                    add(Type.WORD, text.substring(start, i), column);
                }
            }
        }
        tokens.add(new Token(Type.EOF, "", "", line, i - lineStart + 1));
    }

    private void single(Type type, int column) {
        add(type, String.valueOf(text.charAt(i)), column);
        i++;
    }

    private void add(Type type, String tokenText, int column) {
        tokens.add(new Token(type, tokenText, tokenText, line, column));
    }

    private void string(int column) {
        int start = i;
        i++;
        while (i < text.length() && text.charAt(i) != '"' && text.charAt(i) != '\n') {
            i += text.charAt(i) == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '\n' ? 2 : 1;
        }
        if (i >= text.length() || text.charAt(i) != '"') {
            throw error(source, text, line, column, "this string is never closed; end it with '\"' on the same line");
        }
        i++;
        String raw = text.substring(start, i);
        String value;
        try {
            value = JSON.readValue(raw, String.class);
        } catch (JsonProcessingException e) {
            throw error(source, text, line, column, "invalid escape in string " + raw
                    + "; strings use JSON escapes (write \\\\ for a backslash, \\\" for a quote)");
        }
        tokens.add(new Token(Type.STRING, raw, value, line, column));
    }
}
