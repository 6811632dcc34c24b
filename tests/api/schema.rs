//! The committed `schema.graphql` is the contract clients code against: it must equal the code's
//! schema, and every part of it must be described.

use async_graphql::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{InputValueDefinition, TypeKind, TypeSystemDefinition};

use crate::helpers::TestResult;

#[test]
fn the_committed_schema_matches_the_code() -> TestResult {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path)?;
    assert!(
        committed == api::graphql::sdl(),
        "schema.graphql is out of date: run `cargo run -- export-schema` and commit it"
    );
    Ok(())
}

#[test]
fn every_type_field_argument_and_enum_value_is_described() -> TestResult {
    let doc = parse_schema(api::graphql::sdl())?;
    let mut missing = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else { continue };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if ty.description.is_none() {
            missing.push(name.to_owned());
        }
        match &ty.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let owner = format!("{name}.{}", f.node.name.node);
                    if f.node.description.is_none() {
                        missing.push(owner.clone());
                    }
                    undescribed_args(&mut missing, &owner, &f.node.arguments);
                }
            }
            TypeKind::Interface(i) => {
                for f in &i.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::InputObject(i) => undescribed_args(&mut missing, name, &i.fields),
            TypeKind::Enum(e) => {
                for v in &e.values {
                    if v.node.description.is_none() {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    assert!(missing.is_empty(), "undescribed: {missing:?}");
    Ok(())
}

fn undescribed_args(missing: &mut Vec<String>, owner: &str, args: &[Positioned<InputValueDefinition>]) {
    for arg in args {
        if arg.node.description.is_none() {
            missing.push(format!("{owner}({})", arg.node.name.node));
        }
    }
}

#[test]
fn enum_values_carry_their_chinese_term() -> TestResult {
    let sdl = api::graphql::sdl();
    for term in ["项目办", "联系领导", "责任单位", "督导员", "职能部门", "乡镇", "领导小组"] {
        assert!(sdl.contains(term), "{term} missing from the schema's descriptions");
    }
    Ok(())
}
