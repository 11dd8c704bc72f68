package commshub.ota

import commshub.ota.model.Answer
import commshub.ota.model.Query
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

/** Day `day` of the tests' calendar (2026-01-01 is day 0), at `hour` UTC. */
fun t(day: Long, hour: Long = 9): Instant =
    Instant.parse("2026-01-01T09:00:00Z").plus(Duration.ofDays(day)).plus(Duration.ofHours(hour - 9))

/** Hub `n` of the fixtures. */
fun h(n: Int): String = "00-00-00-00-00-00-00-%02X".format(n)

/** The answer to [query] as the variant [A] that query gives (e.g. `Answer.Hub`). */
inline fun <reified A : Answer> Engine.ask(actor: String, query: Query): A = query(actor, query) as A

/** An engine holding a fixture of `tests/fixtures`. */
fun fixture(name: String): Engine =
    Conformance.given(Engine(), Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/$name").toFile()))

/**
 * Scratch files of the test run, in one temporary directory removed when the JVM exits: the
 * tests used to leave a store directory per scenario behind in the system's temp directory.
 */
object Scratch {
    private val root: Path = Files.createTempDirectory("commshub-ota-kotlin").also { root ->
        Runtime.getRuntime().addShutdownHook(Thread { root.toFile().deleteRecursively() })
    }

    /** A new, empty directory. */
    fun dir(prefix: String): Path = Files.createTempDirectory(root, prefix)

    /** A new, empty file. */
    fun file(prefix: String, suffix: String): Path = Files.createTempFile(root, prefix, suffix)
}
