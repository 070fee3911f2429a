using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace TenantBilling.Domain.Tests.Layering;

/// <summary>A type one type refers to: the assembly that defines it and its full name.</summary>
public readonly record struct TypeUse(string Assembly, string Type)
{
    public override string ToString() => $"[{Assembly}]{Type}";
}

/// <summary>
/// Reads an assembly's metadata (not by loading it) and lists, for each type, every type it uses: base type,
/// interfaces, generic constraints, custom attributes, the signatures of its fields, methods, properties and
/// events, its methods' locals and exception handlers, and every type, method and field their IL refers to.
/// </summary>
public sealed class AssemblyReferences : IDisposable
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly PEReader _pe;
    private readonly MetadataReader _md;
    private readonly string _self;
    private readonly SignatureTypes _signatures;

    public AssemblyReferences(string path)
    {
        _pe = new PEReader(File.OpenRead(path));
        _md = _pe.GetMetadataReader();
        _self = _md.GetString(_md.GetAssemblyDefinition().Name);
        _signatures = new SignatureTypes(this);
    }

    public void Dispose() => _pe.Dispose();

    /// <summary>The full name of every type defined in the assembly (nested types as Outer+Inner), with what it uses.</summary>
    public IEnumerable<(string Type, IReadOnlySet<TypeUse> Uses)> Types()
    {
        foreach (var handle in _md.TypeDefinitions)
        {
            yield return (FullName(handle), UsesOf(_md.GetTypeDefinition(handle)));
        }
    }

    private HashSet<TypeUse> UsesOf(TypeDefinition type)
    {
        var uses = new HashSet<TypeUse>();
        Add(uses, type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            Add(uses, _md.GetInterfaceImplementation(implementation).Interface);
        }

        AddAttributes(uses, type.GetCustomAttributes());
        AddGenericParameters(uses, type.GetGenericParameters());
        foreach (var handle in type.GetFields())
        {
            var field = _md.GetFieldDefinition(handle);
            uses.UnionWith(field.DecodeSignature(_signatures, null));
            AddAttributes(uses, field.GetCustomAttributes());
        }

        foreach (var handle in type.GetMethods())
        {
            AddMethod(uses, _md.GetMethodDefinition(handle));
        }

        foreach (var handle in type.GetProperties())
        {
            var property = _md.GetPropertyDefinition(handle);
            var signature = property.DecodeSignature(_signatures, null);
            uses.UnionWith(signature.ReturnType);
            uses.UnionWith(signature.ParameterTypes.SelectMany(p => p));
            AddAttributes(uses, property.GetCustomAttributes());
        }

        foreach (var handle in type.GetEvents())
        {
            var @event = _md.GetEventDefinition(handle);
            Add(uses, @event.Type);
            AddAttributes(uses, @event.GetCustomAttributes());
        }

        return uses;
    }

    private void AddMethod(HashSet<TypeUse> uses, MethodDefinition method)
    {
        var signature = method.DecodeSignature(_signatures, null);
        uses.UnionWith(signature.ReturnType);
        uses.UnionWith(signature.ParameterTypes.SelectMany(p => p));
        AddAttributes(uses, method.GetCustomAttributes());
        AddGenericParameters(uses, method.GetGenericParameters());
        foreach (var parameter in method.GetParameters())
        {
            AddAttributes(uses, _md.GetParameter(parameter).GetCustomAttributes());
        }

        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            uses.UnionWith(_md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_signatures, null).SelectMany(l => l));
        }

        foreach (var region in body.ExceptionRegions)
        {
            Add(uses, region.CatchType);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (Operands[code])
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    Add(uses, MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSig:
                    var standalone = _md.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32()));
                    var called = standalone.DecodeMethodSignature(_signatures, null);
                    uses.UnionWith(called.ReturnType);
                    uses.UnionWith(called.ParameterTypes.SelectMany(p => p));
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();   // read before Offset: `Offset += Read…()` would add to the offset before the read
                    il.Offset += targets * 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                default:   // InlineBrTarget, InlineI, InlineString, ShortInlineR
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void AddAttributes(HashSet<TypeUse> uses, CustomAttributeHandleCollection attributes)
    {
        foreach (var handle in attributes)
        {
            Add(uses, _md.GetCustomAttribute(handle).Constructor);
        }
    }

    private void AddGenericParameters(HashSet<TypeUse> uses, GenericParameterHandleCollection parameters)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in _md.GetGenericParameter(parameter).GetConstraints())
            {
                Add(uses, _md.GetGenericParameterConstraint(constraint).Type);
            }
        }
    }

    /// <summary>The types a metadata handle names: a type, or a member's declaring type and signature.</summary>
    private void Add(HashSet<TypeUse> uses, EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                uses.Add(new TypeUse(_self, FullName((TypeDefinitionHandle)handle)));
                break;
            case HandleKind.TypeReference:
                uses.Add(Reference((TypeReferenceHandle)handle));
                break;
            case HandleKind.TypeSpecification:
                uses.UnionWith(_md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_signatures, null));
                break;
            case HandleKind.MethodDefinition:
                uses.Add(new TypeUse(_self, FullName(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())));
                break;
            case HandleKind.FieldDefinition:
                uses.Add(new TypeUse(_self, FullName(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())));
                break;
            case HandleKind.MethodSpecification:
                var specification = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                Add(uses, specification.Method);
                uses.UnionWith(specification.DecodeSignature(_signatures, null).SelectMany(t => t));
                break;
            case HandleKind.MemberReference:
                var member = _md.GetMemberReference((MemberReferenceHandle)handle);
                Add(uses, member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    var signature = member.DecodeMethodSignature(_signatures, null);
                    uses.UnionWith(signature.ReturnType);
                    uses.UnionWith(signature.ParameterTypes.SelectMany(p => p));
                }
                else
                {
                    uses.UnionWith(member.DecodeFieldSignature(_signatures, null));
                }

                break;
        }
    }

    private TypeUse Reference(TypeReferenceHandle handle)
    {
        var reference = _md.GetTypeReference(handle);
        var name = _md.GetString(reference.Name);
        var scope = reference.ResolutionScope;
        return scope.Kind switch
        {
            HandleKind.AssemblyReference => new TypeUse(_md.GetString(_md.GetAssemblyReference((AssemblyReferenceHandle)scope).Name), Qualified(_md.GetString(reference.Namespace), name)),
            HandleKind.TypeReference => Reference((TypeReferenceHandle)scope) is var outer ? outer with { Type = $"{outer.Type}+{name}" } : default,
            _ => new TypeUse(_self, Qualified(_md.GetString(reference.Namespace), name)),
        };
    }

    private string FullName(TypeDefinitionHandle handle)
    {
        var type = _md.GetTypeDefinition(handle);
        var name = _md.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? Qualified(_md.GetString(type.Namespace), name) : $"{FullName(declaring)}+{name}";
    }

    private static string Qualified(string ns, string name) => ns.Length == 0 ? name : $"{ns}.{name}";

    /// <summary>Decodes signatures into the set of types they mention.</summary>
    private sealed class SignatureTypes(AssemblyReferences owner) : ISignatureTypeProvider<ImmutableArray<TypeUse>, object?>
    {
        private static readonly ImmutableArray<TypeUse> None = [];

        public ImmutableArray<TypeUse> GetPrimitiveType(PrimitiveTypeCode typeCode) => [new TypeUse("System.Runtime", typeCode.ToString())];

        public ImmutableArray<TypeUse> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            [new TypeUse(owner._self, owner.FullName(handle))];

        public ImmutableArray<TypeUse> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [owner.Reference(handle)];

        public ImmutableArray<TypeUse> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeUse> GetGenericInstantiation(ImmutableArray<TypeUse> genericType, ImmutableArray<ImmutableArray<TypeUse>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(a => a));

        public ImmutableArray<TypeUse> GetArrayType(ImmutableArray<TypeUse> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeUse> GetSZArrayType(ImmutableArray<TypeUse> elementType) => elementType;

        public ImmutableArray<TypeUse> GetByReferenceType(ImmutableArray<TypeUse> elementType) => elementType;

        public ImmutableArray<TypeUse> GetPointerType(ImmutableArray<TypeUse> elementType) => elementType;

        public ImmutableArray<TypeUse> GetPinnedType(ImmutableArray<TypeUse> elementType) => elementType;

        public ImmutableArray<TypeUse> GetModifiedType(ImmutableArray<TypeUse> modifier, ImmutableArray<TypeUse> unmodifiedType, bool isRequired) =>
            unmodifiedType.AddRange(modifier);

        public ImmutableArray<TypeUse> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeUse>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(p => p));

        public ImmutableArray<TypeUse> GetGenericMethodParameter(object? genericContext, int index) => None;

        public ImmutableArray<TypeUse> GetGenericTypeParameter(object? genericContext, int index) => None;
    }
}
