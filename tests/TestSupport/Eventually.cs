using Xunit;

namespace TenantBilling.TestSupport;

/// <summary>Polls a condition that another actor (a reminder) will make true, failing after a deadline.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout) => TrueAsync(() => Task.FromResult(condition()), timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The condition did not hold within {timeout}.");
            }

            await Task.Delay(50);
        }
    }
}
