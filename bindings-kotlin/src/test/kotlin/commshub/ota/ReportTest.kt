package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.LocalDate

/** Each party's report and the DPL's pie (issue 25) from Kotlin: the core's bytes, the same file Rust and Python compare with. */
class ReportTest {
    private val a = "customer:SUP-A"

    private fun report(e: Engine, who: String, days: Long = 30) = e.ask<Answer.Report>(who, Query.Report(t(5), days)).v1

    @Test
    fun `the report is the core's bytes, scoped to the asker`(): Unit = fixture("rollout_estate.json").use { e ->
        val html = report(e, a)
        val expected = Conformance.testsDir.resolve("expected/report_rollout_sup_a.html").toFile().readText(Charsets.UTF_8)
        assertEquals(expected, html)
        assertFalse(html.contains("SUP-B") || html.contains("<script"))
        assertTrue(report(e, "dcc").contains("the DCC (the industry)"))
        for (days in listOf(0L, 367L)) {
            val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) { report(e, a, days) }
            assertEquals("days", err.field)
        }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { report(e, "system") }
    }

    @Test
    fun `the DPL as a pie holds every hub in a few slices`(): Unit = fixture("rollout_estate.json").use { e ->
        val on = LocalDate.parse("2026-01-06")
        val pie = e.ask<Answer.DplPie>(a, Query.DplPie("SUP-A", on)).v1
        val list = e.ask<Answer.Dpl>(a, Query.Dpl("SUP-A", on)).v1
        assertEquals(list.sumOf { it.hubs }, pie.sumOf { it.hubs })
        assertTrue(pie.size <= 6)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.ask<Answer.DplPie>(a, Query.DplPie(null, on)) }
    }
}
