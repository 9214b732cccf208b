package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipHashTest {
    /**
     * SipHash-1-3, key 00 01 … 0f, of the messages 00, 00 01, … (lengths 0 to 63), as OpenSSL 3 prints them
     * ({@code openssl mac -macopt hexkey:000102030405060708090a0b0c0d0e0f -macopt size:8 -macopt c-rounds:1
     * -macopt d-rounds:3 SIPHASH}); the first is also the first of Rust's SipHash-1-3 test vectors.
     */
    private static final List<String> VECTORS = List.of(
            "DCC40F055801ACAB",
            "93CA577DF39BF4C9",
            "4DD4C74D029BCB82",
            "FBF7DDE7B80AF88B",
            "2883D388605775CF",
            "673B53492FD5F9DE",
            "A7229FC5502B0DC5",
            "4011B19B987D92D3",
            "8E9A298D11959036",
            "E43D066CB38EA425",
            "7F09FF92EE85DE79",
            "52C34DF9C118C170",
            "A2D9B457B184A378",
            "A7FF29120C766F30",
            "345DF9C011A15A60",
            "5699512A6DD820D3",
            "668B907D1ADD4FCC",
            "0CD8DB639068F29C",
            "3EE673B49C38FC8F",
            "1C7D298DE59D1FF2",
            "40E0CCA6462FDCC0",
            "44F8452BFEAB92B9",
            "2E8720A39B7BFE7F",
            "23C1E6DA7F0E5A52",
            "8C9C3467B2AE64F4",
            "79095B702859CD45",
            "A51399CAE3353E3A",
            "353BDE4A4EC71DA9",
            "0DD06CEF02ED0BFB",
            "F4E1B14AB43CD988",
            "63E6C543D6110F54",
            "BCD1218C1FDD7023",
            "0DB6A7166C7B1581",
            "BFF98F7AE5B9544D",
            "3E752A1F78129F75",
            "916B18BFBEA3A1CE",
            "0662A2ADD308F52C",
            "5730C3A32D1C10B6",
            "A1363AAE9674F4B3",
            "9283107B54576B62",
            "3115E4993236D2C1",
            "44D91A3F92C17C66",
            "258813C8FE4F7065",
            "A64989C2D180F224",
            "6B87F8FAED1CCAC2",
            "9621049FFC4B16C2",
            "23D6B168939C6EA1",
            "FD14518B9C16FB49",
            "464C07DFF843319F",
            "B386CC1224AFFDC6",
            "8F09520AD149AF7E",
            "9A2F299D5513F31C",
            "121FF4A2DD304AC4",
            "D01EA74389E9FA36",
            "E6BCF0734CB38F31",
            "80E9A77036BF7AA2",
            "756D3C24DBC0BCB4",
            "1315B7FD52D8F823",
            "088A7DA64D5F038F",
            "48F1E8B7E5D09CD8",
            "EE44A6F7BCE6F4F6",
            "F237180FD89AC5AE",
            "E094664B15F6B2C3",
            "A8B3BBB76290199D");

    private static final SipHash REFERENCE_KEY = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    @Test
    void matchesTheReferenceVectorsForEveryLengthUpToSixtyThree() {
        for (int length = 0; length < VECTORS.size(); length++) {
            assertThat(hex(REFERENCE_KEY.hash(counting(length)))).as("length %d", length).isEqualTo(VECTORS.get(length));
        }
    }

    @Test
    void aLongerMessageMatchesOpenSsl() {
        assertThat(hex(REFERENCE_KEY.hash(counting(200)))).isEqualTo("EDFA0E8361E83FB7");
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
