mod db;
mod roadmap;
