using System.Reflection;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Domain.Tests.Layering;

/// <summary>
/// The billing rules (namespace TenantBilling.Grains.Domain) are plain code: they use the base library, the
/// contract models and each other, and of Orleans only the attributes that pin a persisted shape. No grain,
/// grain factory, persistent state, reminder or runtime type, nothing of the grains around them, no integration.
/// Checked on the compiled assembly's metadata, including every type, method and field the IL refers to.
/// </summary>
public sealed class DomainLayeringTests
{
    private const string Domain = "TenantBilling.Grains.Domain";

    /// <summary>Orleans attributes a persisted domain type (a period entry) carries; they are metadata, not behaviour.</summary>
    private static readonly HashSet<string> SerializationAttributes = new(StringComparer.Ordinal)
    {
        "Orleans.GenerateSerializerAttribute", "Orleans.IdAttribute", "Orleans.AliasAttribute", "Orleans.ImmutableAttribute",
    };

    private static readonly Assembly Contracts = typeof(GrainKeys).Assembly;

    private static readonly string GrainsAssembly = typeof(PeriodBook).Assembly.GetName().Name!;

    [Fact]
    public void The_rules_use_no_Orleans_runtime_type_no_grain_and_no_integration()
    {
        using var assembly = new AssemblyReferences(typeof(PeriodBook).Assembly.Location);

        var domainTypes = assembly.Types().Where(t => InDomain(t.Type)).ToList();
        var violations = domainTypes
            .SelectMany(t => t.Uses.Where(use => !Allowed(use)).Select(use => $"{t.Type} uses {use}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(domainTypes.Count > 40, $"only {domainTypes.Count} domain types were found");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_rules_signatures_and_base_types_seen_by_reflection_are_free_of_Orleans_runtime_types_too()
    {
        var violations = typeof(PeriodBook).Assembly.GetTypes()
            .Where(t => InDomain(t.FullName ?? string.Empty))
            .SelectMany(t => SignatureTypes(t).Select(used => (t, used)))
            .Where(pair => !Allowed(new TypeUse(pair.used.Assembly.GetName().Name!, pair.used.FullName ?? pair.used.Name)))
            .Select(pair => $"{pair.t.FullName} uses {pair.used.FullName}")
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_check_sees_the_Orleans_types_a_grain_uses()
    {
        using var assembly = new AssemblyReferences(typeof(PeriodBook).Assembly.Location);

        var tenantGrain = assembly.Types().Single(t => t.Type == "TenantBilling.Grains.Tenants.TenantGrain").Uses;

        Assert.Contains(tenantGrain, use => use.Type == "Orleans.Grain");
        Assert.Contains(tenantGrain, use => use.Type == "Orleans.Runtime.IPersistentState`1");
        Assert.Contains(tenantGrain, use => use.Type == "TenantBilling.Grains.Domain.Schedule.PeriodBook");
        Assert.Contains(tenantGrain.Where(u => !Allowed(u)), use => use.Assembly.StartsWith("Orleans", StringComparison.Ordinal));
    }

    private static bool InDomain(string typeName) => typeName == Domain || typeName.StartsWith(Domain + ".", StringComparison.Ordinal);

    private static bool Allowed(TypeUse use)
    {
        if (use.Assembly.StartsWith("Orleans", StringComparison.Ordinal) || use.Assembly.StartsWith("Microsoft.Orleans", StringComparison.Ordinal))
        {
            return SerializationAttributes.Contains(use.Type);
        }

        if (use.Assembly == GrainsAssembly)
        {
            // Compiler- and generator-made helpers (static data, string switches, [GeneratedRegex] code) have names with '<'.
            return InDomain(use.Type) || use.Type.Contains('<', StringComparison.Ordinal);
        }

        if (use.Assembly == Contracts.GetName().Name)
        {
            // Contract models and rules, but no grain interface.
            var type = Contracts.GetType(use.Type);
            return type is not null && !typeof(IAddressable).IsAssignableFrom(type);
        }

        return use.Assembly is "System.Runtime" or "System.Private.CoreLib" or "netstandard" or "mscorlib"
            || use.Assembly.StartsWith("System.", StringComparison.Ordinal);
    }

    /// <summary>Base types, interfaces, and the types of every declared field, property, event and method signature (generic arguments included).</summary>
    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var direct = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            direct.Add(baseType);
        }

        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(declared).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(declared).Select(p => p.PropertyType));
        direct.AddRange(type.GetEvents(declared).Select(e => e.EventHandlerType!));
        foreach (var method in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
        {
            if (method is MethodInfo info)
            {
                direct.Add(info.ReturnType);
            }

            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
        }

        direct.AddRange(type.GetCustomAttributesData().Select(a => a.AttributeType));
        return direct.SelectMany(Flatten).Where(t => !t.IsGenericParameter);
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            return Flatten(type.GetElementType()!);
        }

        return type.IsGenericType
            ? [type.GetGenericTypeDefinition(), .. type.GetGenericArguments().SelectMany(Flatten)]
            : [type];
    }
}
