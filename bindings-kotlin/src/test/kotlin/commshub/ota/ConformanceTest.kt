package commshub.ota

import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

class ConformanceTest {
    @TestFactory
    fun scenarios(): List<DynamicTest> = Conformance.scenarioFiles().map { path ->
        DynamicTest.dynamicTest(path.fileName.toString()) {
            val (steps, problem) = Conformance.run(Conformance.mapper.readTree(path.toFile()))
            assertTrue(steps > 0)
            assertNull(problem, problem)
        }
    }

    @Test
    fun `there are scenarios`() {
        assertTrue(Conformance.scenarioFiles().size >= 10)
    }

    @Test
    fun `subset matching rejects differences`() {
        val m = Conformance.mapper
        val actual = m.readTree("""{"a":1,"b":[1,{"c":"x","d":2}]}""")
        assertNull(Conformance.matches(m.readTree("""{"b":[1,{"c":"x"}]}"""), actual, "r"))
        assertNotNull(Conformance.matches(m.readTree("""{"b":[1]}"""), actual, "r"))
        assertNotNull(Conformance.matches(m.readTree("""{"a":2}"""), actual, "r"))
        assertNotNull(Conformance.matches(m.readTree("""{"z":1}"""), actual, "r"))
        assertNull(Conformance.matches(m.readTree("""{"z":null}"""), actual, "r"))
    }
}
