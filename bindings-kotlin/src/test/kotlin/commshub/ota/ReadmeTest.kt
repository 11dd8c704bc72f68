package commshub.ota

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files

/**
 * The README's Kotlin snippet is `examples/kotlin/Readme.kt` (compiled with the tests), and runs;
 * its Java snippet is `examples/jvm-consumers/java/.../Readme.java`, which scripts/test compiles
 * and runs against the installed jar.
 */
class ReadmeTest {
    private val root = Conformance.testsDir.parent

    private fun kotlinBlocks(text: String): List<String> =
        Regex("```kotlin\n(.*?)```", RegexOption.DOT_MATCHES_ALL).findAll(text).map { it.groupValues[1] }.toList()

    @Test
    fun `the README's Kotlin snippet is the compiled example`() {
        val blocks = kotlinBlocks(Files.readString(root.resolve("README.md")))
        assertEquals(1, blocks.size)
        val example = Files.readString(root.resolve("examples/kotlin/Readme.kt"))
        assertEquals(blocks[0], example.substringAfter("package commshub.ota.examples.readme\n\n"))
    }

    @Test
    fun `the README's Java snippet is the consumer project's program`() {
        val blocks = Regex("```java\n(.*?)```", RegexOption.DOT_MATCHES_ALL)
            .findAll(Files.readString(root.resolve("README.md"))).map { it.groupValues[1] }.toList()
        assertEquals(1, blocks.size)
        val example = Files.readString(root.resolve("examples/jvm-consumers/java/src/main/java/commshub/ota/examples/Readme.java"))
        assertEquals(blocks[0], example.substringAfter("package commshub.ota.examples;\n\n"))
    }

    @Test
    fun `the README's Kotlin snippet runs and prints what it says`() {
        val out = ByteArrayOutputStream()
        val saved = System.out
        System.setOut(PrintStream(out, true))
        try {
            commshub.ota.examples.readme.main()
        } finally {
            System.setOut(saved)
        }
        val lines = out.toString().lines()
        // The refusal was caught and printed, then the one variant the snippet registered.
        assertTrue(lines[0].startsWith("customer:SUPPLIER-01 may not "), lines[0])
        assertEquals("[CH-N-DB]", lines[1])
    }
}
