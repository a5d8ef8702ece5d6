use serde::{Deserialize, Serialize};

/// A learner-facing string in both of Crossway's languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    pub en: String,
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
}

impl LocalizedText {
    pub fn new(en: impl Into<String>, zh_cn: impl Into<String>) -> Self {
        Self { en: en.into(), zh_cn: zh_cn.into() }
    }

    /// The text in `locale` ("en" or "zh-CN"); English for anything else.
    pub fn get(&self, locale: &str) -> &str {
        if locale == "zh-CN" {
            &self.zh_cn
        } else {
            &self.en
        }
    }
}
