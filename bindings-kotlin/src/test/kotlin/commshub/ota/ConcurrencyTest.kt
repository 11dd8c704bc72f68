package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.time.Instant
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

class ConcurrencyTest {
    @Test
    fun `eight threads share one handle and the final state adds up`() {
        val at = Instant.parse("2026-01-02T09:00:00Z")
        val cutoff = Instant.parse("2026-06-01T00:00:00Z")
        val engine = Conformance.given(
            Engine(),
            Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/two_regions.json").toFile()),
        )
        engine.use { e ->
            val base = e.lastSeq()
            val pool = Executors.newFixedThreadPool(8)
            val refusals = (0 until 8).map { k ->
                pool.submit(Callable {
                    var refused = 0
                    for (i in 0 until 25) {
                        val c = "T$k-$i"
                        e.execute("dcc", at, Command.CreateCampaign(CreateCampaign(c, "CH-N-DB", "2.0", cutoff)))
                        e.execute("dcc", at, Command.GrantPilotOa(GrantPilotOa(c)))
                        check(e.ask<Answer.Campaign>("customer:SUP-A", Query.Campaign(c)).v1.phase == Phase.PILOT)
                        check(e.ask<Answer.Hub>("customer:SUP-B", Query.Hub("00-00-00-00-00-00-00-02")).v1.splitSupply)
                        try {
                            e.execute("customer:SUP-A", at, Command.GrantPilotOa(GrantPilotOa(c)))
                        } catch (x: CommsHubOtaException.NotPermitted) {
                            refused++
                        }
                        // Open campaigns per variant are bounded: close each before the next.
                        e.execute("dcc", at, Command.CancelCampaign(CancelCampaign(c, "done")))
                    }
                    refused
                })
            }.map { it.get(60, TimeUnit.SECONDS) }
            pool.shutdown()
            assertEquals(List(8) { 25 }, refusals)
            assertEquals(200, e.ask<Answer.Campaigns>("dcc", Query.Campaigns).v1.size)
            assertEquals(base + 600, e.lastSeq())
            assertEquals((1..e.lastSeq()).toList(), e.events(0).map { it.seq })
        }
    }
}
