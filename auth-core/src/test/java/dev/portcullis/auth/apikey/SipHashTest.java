package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipHashTest {
    /**
     * SipHash-2-4, key 00 01 … 0f, of the messages 00, 00 01, … (lengths 0 to 63): the reference implementation's
     * {@code vectors_sip64}, here as OpenSSL 3 prints them
     * ({@code openssl mac -macopt hexkey:000102030405060708090a0b0c0d0e0f -macopt size:8 SIPHASH}).
     */
    private static final List<String> VECTORS = List.of(
            "310E0EDD47DB6F72",
            "FD67DC93C539F874",
            "5A4FA9D909806C0D",
            "2D7EFBD796666785",
            "B7877127E09427CF",
            "8DA699CD64557618",
            "CEE3FE586E46C9CB",
            "37D1018BF50002AB",
            "6224939A79F5F593",
            "B0E4A90BDF82009E",
            "F3B9DD94C5BB5D7A",
            "A7AD6B22462FB3F4",
            "FBE50E86BC8F1E75",
            "903D84C02756EA14",
            "EEF27A8E90CA23F7",
            "E545BE4961CA29A1",
            "DB9BC2577FCC2A3F",
            "9447BE2CF5E99A69",
            "9CD38D96F0B3C14B",
            "BD6179A71DC96DBB",
            "98EEA21AF25CD6BE",
            "C7673B2EB0CBF2D0",
            "883EA3E395675393",
            "C8CE5CCD8C030CA8",
            "94AF49F6C650ADB8",
            "EAB8858ADE92E1BC",
            "F315BB5BB835D817",
            "ADCF6B0763612E2F",
            "A5C91DA7ACAA4DDE",
            "716595876650A2A6",
            "28EF495C53A387AD",
            "42C341D8FA92D832",
            "CE7CF2722F512771",
            "E37859F94623F3A7",
            "381205BB1AB0E012",
            "AE97A10FD434E015",
            "B4A31508BEFF4D31",
            "81396229F0907902",
            "4D0CF49EE5D4DCCA",
            "5C73336A76D8BF9A",
            "D0A704536BA93E0E",
            "925958FCD6420CAD",
            "A915C29BC8067318",
            "952B79F3BC0AA6D4",
            "F21DF2E41D4535F9",
            "87577519048F53A9",
            "10A56CF5DFCD9ADB",
            "EB75095CCD986CD0",
            "51A9CB9ECBA312E6",
            "96AFADFC2CE666C7",
            "72FE52975A4364EE",
            "5A1645B276D592A1",
            "B274CB8EBF87870A",
            "6F9BB4203DE7B381",
            "EAECB2A30B22A87F",
            "9924A43CC1315724",
            "BD838D3AAFBF8DB7",
            "0B1A2A3265D51AEA",
            "135079A3231CE660",
            "932B2846E4D70666",
            "E1915F5CB1ECA46C",
            "F325965CA16D629F",
            "575FF28E60381BE5",
            "724506EB4C328A95");

    private static final SipHash REFERENCE_KEY = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    @Test
    void matchesTheReferenceVectorsForEveryLengthUpToSixtyThree() {
        for (int length = 0; length < VECTORS.size(); length++) {
            assertThat(hex(REFERENCE_KEY.hash(counting(length)))).as("length %d", length).isEqualTo(VECTORS.get(length));
        }
    }

    @Test
    void aLongerMessageMatchesOpenSsl() {
        assertThat(hex(REFERENCE_KEY.hash(counting(200)))).isEqualTo("51165912E59F8410");
    }

    @Test
    void randomKeysDiffer() {
        byte[] message = "Basic Y2k6cGNrX3Rva2Vu".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(SipHash.randomKey().hash(message)).isNotEqualTo(SipHash.randomKey().hash(message));
    }

    /** 00 01 02 …, {@code length} bytes. */
    private static byte[] counting(int length) {
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) i;
        }
        return message;
    }

    /** The tag's bytes in output order (little-endian). */
    private static String hex(long tag) {
        return HexFormat.of().withUpperCase().formatHex(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(tag).array());
    }
}
