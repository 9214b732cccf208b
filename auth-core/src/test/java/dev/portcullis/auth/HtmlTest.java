package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The page's templates escape every text, refuse a placeholder left unfilled, and every template of the page renders. */
class HtmlTest {
    private static final Html.Template CODE = Html.Template.load("code");

    @Test
    void textIsEscapedAndMarkupFromATemplateIsNot() {
        Html code = CODE.render("text", "<script>\"'&");
        assertThat(code).hasToString("<code>&lt;script&gt;&quot;&#39;&amp;</code>");
        assertThat(Html.Template.load("paragraph").render("text", code)).hasToString("<p><code>&lt;script&gt;&quot;&#39;&amp;</code></p>");
    }

    @Test
    void aPlaceholderLeftUnfilledOrAValueWithoutOneIsAnError() {
        assertThatThrownBy(() -> CODE.render()).isInstanceOf(IllegalStateException.class).hasMessage("template code: no value for {{text}}");
        assertThatThrownBy(() -> CODE.render("text", "x", "txt", "y")).isInstanceOf(IllegalStateException.class)
                .hasMessage("template code has no placeholder for [txt]");
    }

    @Test
    void aValueUsedTwiceIsFilledTwice() {
        assertThat(Html.Template.load("example").render("id", "e", "title", "t", "text", "x", "copy", Html.EMPTY))
                .hasToString("<h3 id=\"e-title\">t</h3><div class=\"copy\"><pre id=\"e\" aria-labelledby=\"e-title\">x</pre></div>");
    }

    @Test
    void joinedMarkupKeepsItsParts() {
        assertThat(Html.join(List.of(CODE.render("text", "a"), CODE.render("text", "b")), Html.text(", "))).hasToString("<code>a</code>, <code>b</code>");
    }
}
