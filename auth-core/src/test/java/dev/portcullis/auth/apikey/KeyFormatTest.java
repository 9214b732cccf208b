package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFormatTest {
    private final KeyFormat format = new KeyFormat("pck_");

    @Test
    void aTokenIsPrefixIdSecretAndChecksum() {
        KeyFormat.Token t = format.generate();
        assertThat(t.value()).matches("pck_[0-9A-Za-z]{11}_[0-9A-Za-z]{33}[0-9A-Za-z]{6}");
        assertThat(t.value()).startsWith("pck_" + t.id() + "_" + t.secret());
        assertThat(format.parse(t.value())).contains(t);
        // 11 base62 digits carry 65 bits, 33 carry 196 bits
        assertThat(KeyFormat.ID_LENGTH * Math.log(62) / Math.log(2)).isGreaterThanOrEqualTo(60);
        assertThat(KeyFormat.SECRET_LENGTH * Math.log(62) / Math.log(2)).isGreaterThanOrEqualTo(190);
        assertThat(t.toString()).doesNotContain(t.secret());
    }

    @Test
    void theChecksumCatchesEverySingleCharacterChange() {
        String token = format.generate().value();
        int checked = 0;
        for (int i = 0; i < token.length(); i++) {
            for (char c : (Base62.DIGITS + "_-.").toCharArray()) {
                if (c == token.charAt(i)) {
                    continue;
                }
                String changed = token.substring(0, i) + c + token.substring(i + 1);
                assertThat(format.parse(changed)).as("changed position %d to %s", i, c).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(3000);
    }

    @Test
    void truncatedExtendedAndForeignTokensAreRejected() {
        String token = format.generate().value();
        assertThat(format.parse(token.substring(0, token.length() - 1))).isEmpty();
        assertThat(format.parse(token + "A")).isEmpty();
        assertThat(format.parse("zak_" + token.substring(4))).isEmpty();
        assertThat(format.parse(null)).isEmpty();
        assertThat(format.parse("")).isEmpty();
        assertThat(new KeyFormat("acme_").parse(token)).isEmpty();
    }

    @Test
    void idsAndSecretsDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(ids.add(format.generate().id())).isTrue();
        }
    }

    @Test
    void aPrefixMustBeSafeForSecretScanners() {
        assertThatThrownBy(() -> new KeyFormat("Bad Prefix")).hasMessageContaining("must be lower-case letters, digits and '_'");
    }
}
