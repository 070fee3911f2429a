namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>Where a month's invoice stands in the tenant's period book (persisted: the values never change).</summary>
[GenerateSerializer, Alias("period-stage")]
public enum PeriodStage
{
    /// <summary>Kept, but not billed: no profile, or a month before the profile's first month.</summary>
    Unscheduled,
    Scheduled,
    /// <summary>
    /// A hand-over was attempted and its outcome is unknown: the composed draft is kept and handed over
    /// again (the receiver keeps the first draft it got for the key, so a repeat changes nothing).
    /// </summary>
    Composing,
    HandedOver,
}
