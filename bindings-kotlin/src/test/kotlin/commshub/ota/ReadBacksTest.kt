package commshub.ota

import commshub.ota.model.*
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The field and the record (issue 26) from Kotlin: late and inventory read-backs. */
class ReadBacksTest {
    private val csp = "csp:north"

    private fun rolling(): Engine = fixture("rollout_estate.json").also { e ->
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        e.execute("customer:SUP-A", t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2")))
    }

    private fun firmware(e: Engine, n: Int) = e.ask<Answer.Hub>("dcc", Query.Hub(h(n))).v1.firmware
    private fun failed(e: Engine, day: Long) = e.ask<Answer.Progress>("dcc", Query.CampaignProgress("C2", t(day))).v1.sumOf { it.failed }
    private fun on20(e: Engine, day: Long) =
        e.ask<Answer.Dpl>("customer:SUP-A", Query.Dpl("SUP-A", LocalDate.of(2026, 1, 1).plusDays(day))).v1
            .filter { it.configurationSet.firmware == "2.0" }.sumOf { it.hubs }
    private fun readBacks(vararg rows: ReadBackReport) = Command.ReportReadBacks(ReportReadBacks(rows.toList()))

    @Test
    fun `a late read-back corrects the firmware and leaves the attempt failed`(): Unit = rolling().use { e ->
        val rows = listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.NoResponse).map { OutcomeReport(h(0x10), it) }
        e.execute(csp, t(3), Command.ReportOutcomes(ReportOutcomes("C2", rows)))
        val inFlight = assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.execute(csp, t(3), readBacks(ReadBackReport(h(0x10), "2.0"))) }
        assertTrue(inFlight.message!!.contains("in flight"), inFlight.message)
        e.execute("dcc", t(7), Command.CheckDeadlines(CheckDeadlines()))
        assertEquals(1L, failed(e, 7))
        e.execute(csp, t(8), Command.ReportOutcomes(ReportOutcomes("C2", listOf(OutcomeReport(h(0x10), Outcome.ReadBack("2.0"), t(5))))))
        assertEquals("2.0", firmware(e, 0x10))
        assertEquals(1L, failed(e, 8))
        assertEquals(listOf(0L, 1L), listOf(on20(e, 4), on20(e, 5)))
    }

    @Test
    fun `the CSP's inventory read-back outside any attempt, refusals typed`(): Unit = rolling().use { e ->
        val events = e.execute(csp, t(6), readBacks(ReadBackReport(h(0x11), "2.0", t(4))))
        assertEquals(listOf("read_backs_reported"), events.map { it.eventType })
        assertEquals("2.0", firmware(e, 0x11))
        assertEquals(listOf(0L, 1L), listOf(on20(e, 3), on20(e, 4)))
        assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.execute("csp:south", t(6), readBacks(ReadBackReport(h(0x12), "2.0"))) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("customer:SUP-A", t(6), readBacks(ReadBackReport(h(0x12), "2.0"))) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute(csp, t(6), readBacks()) }
        assertEquals("1.1", firmware(e, 0x12))
    }
}
