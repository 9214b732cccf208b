package dev.portcullis.policy.examples;

import dev.portcullis.policy.testing.PolicyTests;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

class RegistryPolicyTest {
    // paths are relative to the module's directory, where Maven runs the tests

    @TestFactory
    Stream<DynamicTest> registryPolicy() {    // one test per case of the file's test blocks
        return PolicyTests.of(Path.of("../docs/examples/registry.policy"));
    }

    @TestFactory
    Stream<DynamicTest> registryCases() {     // a JSON case bundle works the same way
        return PolicyTests.of(Path.of("../docs/examples/registry-cases.json"));
    }

    @TestFactory
    Stream<DynamicContainer> everyPolicy() {  // every .policy file under a directory, a container per file
        return PolicyTests.under(Path.of("../docs/examples"));
    }
}
